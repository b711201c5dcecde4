import { z } from 'zod';
import { columnTransformSchema } from './fit-transforms.ts';

const fraction = z.number().min(0).max(1);
const seed = z.union([z.string(), z.number()]);

/** How a prepare block splits its rows (snake_case, as in a pipeline file). */
const splitSchema = z.discriminatedUnion('by', [
  z.strictObject({ by: z.literal('time'), column: z.string().min(1), cutoff: z.string().min(1) }),
  z.strictObject({ by: z.literal('group'), column: z.string().min(1), test_fraction: fraction, seed }),
  z.strictObject({ by: z.literal('stratified'), column: z.string().min(1), test_fraction: fraction, seed, key: z.string().min(1).optional() }),
]);

/** The settings under a block's `prepare:`. */
export const prepareSettingsSchema = z.strictObject({
  split: splitSchema,
  /** Each feature column to its scaler or encoder, fitted on the train rows only. */
  transform: z.record(z.string().min(1), columnTransformSchema).optional(),
  /** Fails the block when a feature is computed from data after the row's `as_of` time. */
  leakage: z.strictObject({ as_of: z.string().min(1), feature_times: z.record(z.string().min(1), z.string().min(1)) }).optional(),
});
export type PrepareSettings = z.output<typeof prepareSettingsSchema>;
