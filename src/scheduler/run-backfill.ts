import type { Pipeline } from '../core/pipeline/pipeline.ts';
import { formatLogicalDate, intervalsForDays, type DataInterval } from '../core/pipeline/schedule.ts';
import type { RunRecord, RunStatus, RunHistory } from '../core/run-store/run-store.ts';
import { newRunId } from '../core/run/run-pipeline.ts';

export interface BackfillItem {
  readonly logicalDate: string;
  readonly interval: DataInterval;
}

export interface BackfillProgress {
  readonly total: number;
  readonly done: number;
  readonly skipped: number;
  readonly failed: number;
  readonly running: readonly string[];
}

export interface BackfillResult extends BackfillProgress {
  readonly runs: readonly { logicalDate: string; runId?: string; status: RunStatus | 'skipped' }[];
}

export interface BackfillOptions {
  readonly parallel?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: BackfillProgress) => void;
}

/** The logical dates a backfill covers, one per interval of the pipeline's schedule (daily without one). */
export function planBackfill(pipeline: Pipeline, first: string, last: string): BackfillItem[] {
  const timezone = pipeline.schedule?.timezone ?? 'UTC';
  return intervalsForDays(pipeline.schedule, first, last).map((interval) => ({ logicalDate: formatLogicalDate(interval, timezone), interval }));
}

/**
 * Runs one run per logical date, `parallel` at a time, oldest first. Dates
 * that already have a succeeded run are skipped, so an interrupted backfill
 * resumes where it stopped when given the same range again; each run replaces
 * its own date's data (the exporters' partition mode), so a rerun never adds
 * rows twice. A date whose run was lost (its process was killed) is handed to
 * `runOne` with that run, to carry on as its next attempt rather than start a
 * second run of the date.
 */
export async function runBackfill(
  store: RunHistory,
  pipeline: Pipeline,
  items: readonly BackfillItem[],
  runOne: (item: BackfillItem, lost: RunRecord | undefined) => Promise<{ id: string; status: RunStatus | 'skipped' }>,
  options: BackfillOptions = {},
): Promise<BackfillResult> {
  const finished = new Set(
    (await store.listRuns({ pipeline: pipeline.name, status: 'succeeded', limit: 1_000_000 })).map((r) => r.logicalDate).filter((d): d is string => d !== undefined),
  );
  // Newest first, so each date keeps its latest lost run.
  const lost = new Map<string, RunRecord>();
  for (const run of await store.listRuns({ pipeline: pipeline.name, status: 'failed', limit: 1_000_000 })) {
    if (run.error?.code === 'run.lost' && run.logicalDate !== undefined && !lost.has(run.logicalDate)) lost.set(run.logicalDate, run);
  }
  const runs: BackfillResult['runs'][number][] = [];
  const running = new Set<string>();
  let done = 0;
  let skipped = 0;
  let failed = 0;
  const report = (): void => options.onProgress?.({ total: items.length, done, skipped, failed, running: [...running] });
  const queue = items.filter((item) => {
    if (!finished.has(item.logicalDate)) return true;
    skipped++;
    runs.push({ logicalDate: item.logicalDate, status: 'skipped' });
    return false;
  });
  report();
  const worker = async (): Promise<void> => {
    for (let item = queue.shift(); item && !options.signal?.aborted; item = queue.shift()) {
      running.add(item.logicalDate);
      report();
      const result = await runOne(item, lost.get(item.logicalDate));
      running.delete(item.logicalDate);
      if (result.status === 'succeeded') done++;
      else if (result.status === 'skipped') skipped++;
      else failed++;
      runs.push({ logicalDate: item.logicalDate, runId: result.id, status: result.status });
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel ?? 1) }, worker));
  runs.sort((a, b) => a.logicalDate.localeCompare(b.logicalDate));
  return { total: items.length, done, skipped, failed, running: [], runs };
}

/** Names one backfill request; its runs carry it, so the runs list shows them as one row. */
export function newBackfillId(): string {
  return `backfill-${newRunId()}`;
}

/**
 * Queues one run per logical date for a scheduler to execute, each under a
 * key unique to the pipeline and date: asking again queues only the dates
 * that have no run yet, and a run killed with its scheduler is retried as
 * the same run. Returns every date's run, new or existing.
 */
export async function enqueueBackfill(
  store: RunHistory,
  pipeline: Pipeline,
  items: readonly BackfillItem[],
  variables: Readonly<Record<string, string | number | boolean>> = {},
): Promise<{ logicalDate: string; created: boolean; run: RunRecord }[]> {
  const queued = [];
  const backfillId = newBackfillId();
  for (const item of items) {
    const { created, run } = await store.createRunOnce({
      id: newRunId(),
      pipeline: pipeline.name,
      pipelineVersion: pipeline.version,
      logicalDate: item.logicalDate,
      variables: { ...pipeline.variables, ...variables },
      trigger: 'backfill',
      startedAt: new Date().toISOString(),
      status: 'queued',
      dedupeKey: `backfill:${pipeline.name}@${item.logicalDate}`,
      backfillId,
    });
    queued.push({ logicalDate: item.logicalDate, created, run });
  }
  return queued;
}
