import { z } from 'zod';

/**
 * Settings every database connector shares, so a loader or exporter block
 * reads the same whichever database it names.
 */

/** Values filled from `${ENV_VAR}` arrive as text: accept booleans written as text too. */
export const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/** A loader block: a whole table or the result of a query. */
export const tableReadSchema = z
  .object({
    table: z.string().min(1).optional(),
    query: z.string().min(1).optional(),
  })
  .strict()
  .refine((s) => (s.table === undefined) !== (s.query === undefined), 'give exactly one of table or query');

export type TableReadSettings = z.output<typeof tableReadSchema>;

/** The fields of an exporter block into a table; connectors extend it with their own. */
export const tableWriteFields = {
  table: z.string().min(1),
  /** Columns that identify a row, for upsert and merge. A single name is a one-column key. */
  key: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .transform((k) => (typeof k === 'string' ? [k] : k))
    .optional(),
  /** Create the table from the input's columns when it does not exist. */
  create: flag.default(true),
};

/** upsert and merge find rows by key. */
export function requireKeyForKeyedModes<S extends { mode: string; key?: readonly string[] | undefined }>(schema: z.ZodType<S>) {
  return schema.refine((s) => (s.mode !== 'upsert' && s.mode !== 'merge') || (s.key?.length ?? 0) > 0, {
    message: 'upsert and merge need a key (a column or a list of columns)',
    path: ['key'],
  });
}
