import type { StoredOutput } from '../data-plane/data-plane.ts';
import { SluiceError, toSluiceError } from '../errors.ts';
import type { Block } from '../pipeline/pipeline.ts';
import type { BlockRunRecord, LogLevel } from '../run-store/run-store.ts';
import type { BlockRunJob } from './block-run-job.ts';
import type { BlockRunScope, Executor } from './executor.ts';
import { planBlockRuns } from './plan-block-runs.ts';
import type { RunReporter } from './run-reporter.ts';

export interface PlannedRun {
  readonly runId: string;
  readonly executor: Executor;
  readonly scope: BlockRunScope;
  readonly selected: readonly Block[];
  readonly concurrency: number;
  readonly signal: AbortSignal;
  /** Outputs by block name: earlier runs' to start with, this run's as its blocks succeed. */
  readonly stored: Map<string, StoredOutput>;
  readonly jobFor: (block: Block) => BlockRunJob;
  readonly reporter?: RunReporter | undefined;
}

/**
 * Hands every ready block run to the executor and waits for the next to end,
 * until the plan has nothing left; records come back in pipeline order, with
 * the first failure (in the order failures happened).
 */
export async function runPlannedBlocks(run: PlannedRun): Promise<{ records: BlockRunRecord[]; failure: SluiceError | undefined }> {
  const { executor, scope, signal, reporter } = run;
  const { store } = scope;
  const plan = planBlockRuns(run.selected, run.concurrency);
  const records = new Map<string, BlockRunRecord>();
  let failure: SluiceError | undefined;
  const notRun = async (blocks: readonly Block[]): Promise<void> => {
    for (const block of blocks) {
      const record: BlockRunRecord = { runId: run.runId, block: block.name, status: signal.aborted ? 'cancelled' : 'skipped' };
      records.set(block.name, record);
      await store.upsertBlockRun(record);
    }
  };
  const inFlight = new Set<Promise<void>>();
  const launch = (block: Block): void => {
    const job = run.jobFor(block);
    // A watch without `log` when nobody shows lines: an executor elsewhere then need not follow them.
    const log = reporter?.log;
    const watch = { started: (b: Block) => reporter?.blockStarted?.(b), ...(log ? { log: (level: LogLevel, message: string) => log(block.name, level, message) } : {}) };
    const work = executor
      .execute({ job, scope, watch, signal })
      .catch(async (error: unknown) => {
        // The executor itself broke (the run store, the data plane): the block run fails with that error.
        const record: BlockRunRecord = { runId: job.runId, block: block.name, status: signal.aborted ? 'cancelled' : 'failed', endedAt: new Date().toISOString(), error: toSluiceError(error).toJSON() };
        await store.upsertBlockRun(record).catch(() => undefined);
        return { record, output: undefined };
      })
      .then(async ({ record, output }) => {
        if (output) run.stored.set(block.name, output);
        if (record.error) failure ??= SluiceError.fromJSON(record.error);
        records.set(block.name, record);
        reporter?.blockFinished?.(record);
        await notRun(plan.finish(block.name, record.status === 'succeeded' ? 'succeeded' : record.status === 'cancelled' ? 'cancelled' : 'failed'));
      });
    inFlight.add(work);
    const settled = (): boolean => inFlight.delete(work);
    void work.then(settled, settled);
  };
  for (;;) {
    if (signal.aborted) await notRun(plan.withdrawPending());
    else for (const block of plan.start()) launch(block);
    if (!inFlight.size) break;
    await Promise.race(inFlight);
  }
  return { records: run.selected.flatMap((b) => records.get(b.name) ?? []), failure };
}
