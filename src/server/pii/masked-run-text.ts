import type { Context } from 'hono';
import type { SerializedError } from '../../core/errors.ts';
import type { BlockRunRecord, RunHistory } from '../../core/run-store/run-store.ts';
import type { TextMask } from './text-mask.ts';

type RunLike = { readonly id: string; readonly pipeline: string; readonly error?: SerializedError | null | undefined };

/** The free-text mask of one run for the caller, from its block runs (`blockRuns` when the route read them already). */
export async function runTextMask(c: Context, store: Pick<RunHistory, 'listBlockRuns'>, run: Pick<RunLike, 'id' | 'pipeline'>, blockRuns?: readonly BlockRunRecord[]): Promise<TextMask> {
  return c.get('textMaskFor')(run.pipeline, blockRuns ?? (await store.listBlockRuns(run.id)));
}

/**
 * Runs (as lists answer them) with each run's error message masked for the
 * caller where the run's blocks handle personal data (docs/pii.md). Only
 * runs that carry an error are looked at.
 */
export async function maskRunErrors<T extends RunLike>(c: Context, store: Pick<RunHistory, 'listBlockRuns'>, runs: readonly T[]): Promise<T[]> {
  return Promise.all(runs.map(async (run) => (run.error ? (await runTextMask(c, store, run)).run(run) : run)));
}
