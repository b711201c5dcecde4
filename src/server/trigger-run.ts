import type { Pipeline } from '../core/pipeline/pipeline.ts';
import type { RunRecord, RunHistory } from '../core/run-store/run-store.ts';
import { intervalForDate } from '../core/run/logical-date.ts';
import { newRunId } from '../core/run/run-pipeline.ts';
import type { DataInterval } from '../core/pipeline/schedule.ts';
import type { RunTrigger } from '../core/run/run-triggers.ts';

export interface TriggerRequest {
  readonly variables: Readonly<Record<string, string | number | boolean>>;
  readonly logicalDate?: string | undefined;
  readonly trigger: RunTrigger;
}

export interface TriggeredRun {
  readonly run: RunRecord;
  /** False when the request joined a run of the same pipeline and logical date already under way. */
  readonly created: boolean;
  readonly interval?: DataInterval | undefined;
}

/**
 * Creates a run for an API or event trigger. Triggers of the same pipeline
 * and logical date coalesce while a run for that date is under way: they
 * share a key (counting the date's finished runs), which the run store lets
 * only one create. Without a logical date every trigger is a new run.
 */
export async function triggerRun(store: RunHistory, pipeline: Pipeline, request: TriggerRequest): Promise<TriggeredRun> {
  const dated = request.logicalDate !== undefined ? intervalForDate(pipeline, request.logicalDate) : undefined;
  const logicalDate = dated?.logicalDate;
  let dedupeKey: string | undefined;
  if (logicalDate !== undefined) {
    const earlier = await store.listRuns({ pipeline: pipeline.name, logicalDate, limit: 10_000 });
    const finished = earlier.filter((r) => r.status !== 'running' && r.status !== 'queued' && r.dedupeKey?.startsWith('trigger:')).length;
    dedupeKey = `trigger:${pipeline.name}@${logicalDate}#${finished}`;
  }
  const { created, run } = await store.createRunOnce({
    id: newRunId(),
    pipeline: pipeline.name,
    pipelineVersion: pipeline.version,
    logicalDate,
    variables: request.variables,
    trigger: request.trigger,
    startedAt: new Date().toISOString(),
    dedupeKey,
  });
  return { run, created, interval: dated?.interval };
}
