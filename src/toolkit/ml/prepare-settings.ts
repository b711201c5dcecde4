import { z } from 'zod';
import { columnTransformSchema } from './fit-transforms.ts';

const fraction = z.number().min(0).max(1).describe('the share sent to test, 0 to 1');
const seed = z.union([z.string(), z.number()]).describe('the same seed gives the same split');

/** How a prepare block splits its rows (snake_case, as in a pipeline file). */
const splitSchema = z
  .discriminatedUnion('by', [
    z.strictObject({
      by: z.literal('time'),
      column: z.string().min(1).describe('the time of each row'),
      cutoff: z.string().min(1).describe('rows strictly before this date go to train (YYYY-MM-DD or an ISO instant)'),
    }),
    z.strictObject({ by: z.literal('group'), column: z.string().min(1).describe('rows sharing its value (a customer) stay on one side'), test_fraction: fraction, seed }),
    z.strictObject({
      by: z.literal('stratified'),
      column: z.string().min(1).describe('the label each side keeps the share of'),
      test_fraction: fraction,
      seed,
      key: z.string().min(1).optional().describe('a column identifying a row, so a rerun splits the same rows the same way'),
    }),
  ])
  .describe('how rows are split into train and test');

/** The settings under a block's `prepare:`. */
export const prepareSettingsSchema = z.strictObject({
  split: splitSchema,
  /** Each feature column to its scaler or encoder, fitted on the train rows only. */
  transform: z.record(z.string().min(1), columnTransformSchema).optional().describe('each feature column to its scaler or encoder, fitted on the train rows only'),
  /** Fails the block when a feature is computed from data after the row's `as_of` time. */
  leakage: z
    .strictObject({
      as_of: z.string().min(1).describe('the column holding the time each row is known'),
      feature_times: z.record(z.string().min(1), z.string().min(1)).describe('each feature to the column holding when it was computed'),
    })
    .optional()
    .describe('fails the block when a feature is computed after its row\'s time'),
});
export type PrepareSettings = z.output<typeof prepareSettingsSchema>;
