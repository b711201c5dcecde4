import type { BlockRunRecord, RunRecord, RunStore } from '../core/run-store/run-store.ts';

export interface RunningRun {
  readonly run: RunRecord;
  /** The block runs under way now. */
  readonly blocks: readonly BlockRunRecord[];
}

/**
 * Every run that is running now, across pipelines, oldest first, with its
 * running block runs, and the runs waiting in the queue. Which process runs
 * each is its lease owner (`host:pid:…`, or `cli:host:pid` for a terminal).
 */
export async function runningNow(store: RunStore): Promise<{ running: RunningRun[]; queued: RunRecord[] }> {
  const running = (await store.listRuns({ status: 'running', limit: 1000 })).reverse();
  const queued = (await store.listRuns({ status: 'queued', limit: 200 })).reverse();
  return {
    running: await Promise.all(running.map(async (run) => ({ run, blocks: (await store.listBlockRuns(run.id)).filter((b) => b.status === 'running') }))),
    queued,
  };
}
