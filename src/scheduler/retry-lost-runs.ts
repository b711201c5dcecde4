import type { Pipeline } from '../core/pipeline/pipeline.ts';
import type { RunHistory, RunRecord } from '../core/run-store/run-history.ts';
import type { RunQueue } from '../core/run-store/run-queue.ts';
import type { SchedulerEvent } from './scheduler-event.ts';

/** Lost runs looked at per pass, newest first. */
const lostRunsPerPass = 200;

/**
 * Retries runs whose process died, whoever reaped them (any command that
 * opens the run store reaps), per their pipeline's retry policy: each goes
 * back to the queue as the same run, attempt n+1, and resumes from the blocks
 * it had not finished. A lost run is never retried once a later run of the
 * same pipeline and logical date has succeeded or is under way: that run
 * already covers it, and a retry would run the date twice. `settled` holds
 * the lost runs already decided, so each is looked at once per process.
 */
export async function retryLostRuns(
  store: Pick<RunHistory, 'listRuns'> & Pick<RunQueue, 'requeueRun'>,
  pipelines: readonly Pipeline[],
  settled: Set<string>,
  emit: (event: SchedulerEvent) => void,
): Promise<void> {
  const failed = await store.listRuns({ status: 'failed', limit: lostRunsPerPass });
  for (const lost of failed.filter((run) => run.error?.code === 'run.lost' && !settled.has(run.id)).reverse()) {
    settled.add(lost.id);
    const pipeline = pipelines.find((p) => p.name === lost.pipeline);
    if (!pipeline || lost.attempt > (pipeline.retries?.count ?? 0)) continue;
    const later = await coveringRun(store, lost);
    if (later) {
      emit({ kind: 'not_retried', run: lost, reason: `run ${later.id} of the same date ${later.status === 'succeeded' ? 'succeeded' : 'is under way'}` });
      continue;
    }
    const requeued = await store.requeueRun(lost.id);
    if (requeued) emit({ kind: 'requeued', pipeline: pipeline.name, runId: requeued.id, attempt: requeued.attempt });
  }
}

/** A run of the same pipeline and logical date, started after the lost one, that succeeded or is still going. */
async function coveringRun(store: Pick<RunHistory, 'listRuns'>, lost: RunRecord): Promise<RunRecord | undefined> {
  const since = await store.listRuns({ pipeline: lost.pipeline, since: lost.startedAt, limit: 1000 });
  return since.find(
    (run) =>
      run.id !== lost.id &&
      run.logicalDate === lost.logicalDate &&
      (run.status === 'succeeded' || run.status === 'running' || run.status === 'queued'),
  );
}
