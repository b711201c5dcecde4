import type { RunRecord, RunHistory } from '../core/run-store/run-store.ts';
import { blockRunView, type BlockRunView } from './block-run-view.ts';

export interface RunningRun {
  /** With `leaseOwner`, the process that holds it, and `heartbeatAt`, when it last said it is alive. */
  readonly run: RunRecord;
  /** The block runs under way now. */
  readonly blocks: readonly BlockRunView[];
}

/** `GET /api/running-now`: what runs now, what waits, and the server's clock. */
export interface RunningNow {
  readonly running: readonly RunningRun[];
  readonly queued: readonly RunRecord[];
  readonly now: string;
}

/**
 * Every run that is running now, across pipelines, oldest first, with its
 * running block runs, and the runs waiting in the queue. Which process runs
 * each is its lease owner (`host:pid:…`, or `cli:host:pid` for a terminal).
 */
export async function runningNow(store: RunHistory): Promise<Omit<RunningNow, 'now'>> {
  const running = (await store.listRuns({ status: 'running', limit: 1000 })).reverse();
  const queued = (await store.listRuns({ status: 'queued', limit: 200 })).reverse();
  return {
    running: await Promise.all(running.map(async (run) => ({ run, blocks: (await store.listBlockRuns(run.id)).filter((b) => b.status === 'running').map(blockRunView) }))),
    queued,
  };
}
