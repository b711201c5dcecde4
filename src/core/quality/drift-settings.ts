import { z } from 'zod';

/**
 * What a drift in a block's output does:
 * - `warn` records it, logs it and alerts the channels listening for `drift`, and the block goes on;
 * - `fail` fails the block before its output is kept or handed downstream;
 * - `evolve` records it and takes the new shape as the baseline, without a warning;
 * - `freeze` fails on a new, dropped or retyped column and warns on other drift;
 * - `discard_row` moves the rows whose values break a column's established shape to
 *   `<block>__drift`, each with its reason, and warns on drift no row can be blamed for;
 * - `off` fingerprints and judges nothing.
 */
export const driftActions = ['warn', 'fail', 'evolve', 'freeze', 'discard_row', 'off'] as const;
export type DriftAction = (typeof driftActions)[number];

const detailed = z
  .object({
    on_drift: z.enum(driftActions).default('warn'),
    /** How far a column's null rate may rise from the baseline's, as a share (0.2 is 20 percentage points). */
    null_rate_jump: z.number().gt(0).max(1).default(0.2),
  })
  .strict();

/**
 * A block's (or the project's) `drift:` setting: a word or the detailed form.
 * @example
 * drift: fail
 * drift: { on_drift: warn, null_rate_jump: 0.1 }
 */
export const driftSettingsSchema = z.union([z.enum(driftActions).transform((on_drift) => detailed.parse({ on_drift })), detailed]);

export type DriftSettings = z.output<typeof driftSettingsSchema>;

/** What a block gets when neither it nor the project sets `drift:`. */
export const defaultDriftSettings: DriftSettings = { on_drift: 'warn', null_rate_jump: 0.2 };
