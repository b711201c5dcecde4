import { z } from 'zod';

/** What a flagged value does to its block: `warn` records, logs and alerts; `fail` also fails the block; `off` judges nothing. */
export const anomalyActions = ['warn', 'fail', 'off'] as const;
export type AnomalyAction = (typeof anomalyActions)[number];

const detailed = z
  .object({
    on_anomaly: z.enum(anomalyActions).default('warn'),
    /** `auto` (default) models a weekday pattern when it clearly explains the history; `weekly` always; `none` never. */
    season: z.enum(['auto', 'weekly', 'none']).default('auto'),
    /** Recent runs the detector learns from. */
    window: z.number().int().min(7).max(365).optional(),
    /** Runs recorded before it judges at all. */
    min_history: z.number().int().min(3).max(365).optional(),
    /** Robust deviations from the expected value that make an anomaly. */
    threshold: z.number().positive().optional(),
  })
  .strict();

/**
 * A block's `anomalies:` setting: a word (`warn`, `fail`, `off`) or the
 * detector's settings.
 * @example
 * anomalies: fail
 * anomalies: { on_anomaly: fail, season: weekly, window: 56 }
 */
export const anomalySettingsSchema = z
  .union([z.enum(anomalyActions).transform((on_anomaly) => detailed.parse({ on_anomaly })), detailed]);

/** What a block without an `anomalies:` setting gets. */
export const defaultAnomalySettings: AnomalySettings = { on_anomaly: 'warn', season: 'auto' };

export type AnomalySettings = z.output<typeof anomalySettingsSchema>;

/** `metrics: [amount]`: columns whose sum is recorded and judged on every run. */
export const metricColumnsSchema = z.array(z.string().min(1));
