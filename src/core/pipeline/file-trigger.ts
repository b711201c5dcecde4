import path from 'node:path';
import { z } from 'zod';

/** A pipeline that runs when files arrive: `on_file: { path: incoming/*.csv }`. */
export const fileTriggerSchema = z
  .object({
    /** A folder and a file name pattern (`*` and `?`), relative to the project. */
    path: z.string().min(1).refine((p) => !/[*?[]/.test(path.dirname(p)), 'wildcards may stand only in the file name, e.g. incoming/*.csv'),
  })
  .strict();

export type FileTrigger = z.output<typeof fileTriggerSchema>;

