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

/**
 * What drift in an integration stream's values does. A change of columns is
 * the stream's `schema_contract`'s to judge (it compares the source with the
 * destination table), so only the actions about values are offered:
 * - `warn` records it, logs it and alerts, and the rows load;
 * - `fail` fails the stream before anything of the batch is written;
 * - `discard_row` sets the rows whose value breaks a column's established shape aside in `<table>__rejects`;
 * - `off` fingerprints and judges nothing.
 * Left out, it follows the contract: `discard_row` under `schema_contract: discard_row`, else `warn`.
 */
export const streamDriftActions = ['warn', 'fail', 'discard_row', 'off'] as const;
export type StreamDriftAction = (typeof streamDriftActions)[number];

const streamAction = z.enum(streamDriftActions, {
  error: (issue) =>
    issue.input === 'evolve' || issue.input === 'freeze'
      ? `drift: ${issue.input} judges a change of columns, which a stream's schema_contract decides; a stream's drift: is warn, fail, discard_row or off`
      : `a stream's drift: is warn, fail, discard_row or off`,
});

const streamDetailed = z
  .object({
    on_drift: streamAction.optional(),
    /** How far a column's null rate may rise from the baseline batch's, as a share. */
    null_rate_jump: z.number().gt(0).max(1).optional(),
  })
  .strict();

/**
 * An integration pipeline's (or one stream's) `drift:` setting: a word or the
 * detailed form; a stream's overrides the pipeline's, field by field.
 * @example
 * drift: fail
 * drift: { on_drift: warn, null_rate_jump: 0.05 }
 */
export const streamDriftSettingsSchema = z.preprocess((v) => (typeof v === 'string' ? { on_drift: v } : v), streamDetailed);

export type StreamDriftSettings = z.output<typeof streamDriftSettingsSchema>;

/** A stream's drift settings once the stream's, the pipeline's and the contract's defaults are merged. */
export interface ResolvedStreamDrift {
  readonly on_drift: StreamDriftAction;
  readonly null_rate_jump: number;
}

/** Merges a stream's `drift:` over its pipeline's, and fills what neither says from its schema contract. */
export function resolveStreamDrift(stream: StreamDriftSettings | undefined, pipeline: StreamDriftSettings | undefined, contract: string): ResolvedStreamDrift {
  return {
    on_drift: stream?.on_drift ?? pipeline?.on_drift ?? (contract === 'discard_row' ? 'discard_row' : 'warn'),
    null_rate_jump: stream?.null_rate_jump ?? pipeline?.null_rate_jump ?? defaultDriftSettings.null_rate_jump,
  };
}
