import { z } from 'zod';

const slotPattern = /^[a-z0-9_]{1,63}$/;

/** Slot names travel inside replication commands, so only the server's own alphabet is accepted. */
export function isValidSlotName(name: string): boolean {
  return slotPattern.test(name);
}

/**
 * The `cdc:` section of an integration pipeline, for its streams with
 * `mode: cdc`. Everything has a default; most pipelines leave it out.
 *
 * ```yaml
 * cdc:
 *   follow: true          # keep streaming after catching up, until stopped
 * ```
 */
export const cdcSettingsSchema = z
  .object({
    /** Keep streaming after catching up with the WAL position at the run's start, until the run is stopped. */
    follow: z.boolean().default(false),
    /** The replication slot; derived from the pipeline name when left out. */
    slot: z.string().refine(isValidSlotName, 'a slot name is lowercase letters, digits and _, at most 63 characters').optional(),
    /** The publication; derived from the pipeline name when left out. */
    publication: z.string().regex(/^[A-Za-z0-9_]{1,63}$/, 'a publication name here is letters, digits and _, at most 63 characters').optional(),
  })
  .strict();

export type CdcSettings = z.output<typeof cdcSettingsSchema>;
