import type { Pipeline } from '../core/pipeline/pipeline.ts';
import { formatLogicalDate, intervalsForDays, type DataInterval } from '../core/pipeline/schedule.ts';
import type { RunRecord, RunStatus, RunHistory, RunQueue } from '../core/run-store/run-store.ts';
import { newRunId } from '../core/run/run-pipeline.ts';

export interface BackfillItem {
  readonly logicalDate: string;
  readonly interval: DataInterval;
}

export interface BackfillProgress {
  readonly total: number;
  readonly done: number;
  readonly skipped: number;
  /** Dates another submitter held (queued, running or done) and that succeeded there. */
  readonly elsewhere: number;
  readonly failed: number;
  readonly running: readonly string[];
}

/** How a date of a backfill ended for this submitter: `elsewhere` when another one ran it, and it succeeded. */
export type BackfillOutcome = RunStatus | 'skipped' | 'elsewhere';

export interface BackfillResult extends BackfillProgress {
  readonly runs: readonly { logicalDate: string; runId?: string; status: BackfillOutcome }[];
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
  runOne: (item: BackfillItem, lost: RunRecord | undefined) => Promise<{ id: string; status: BackfillOutcome }>,
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
  let elsewhere = 0;
  const report = (): void => options.onProgress?.({ total: items.length, done, skipped, elsewhere, failed, running: [...running] });
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
      else if (result.status === 'elsewhere') elsewhere++;
      else failed++;
      runs.push({ logicalDate: item.logicalDate, runId: result.id, status: result.status });
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel ?? 1) }, worker));
  runs.sort((a, b) => a.logicalDate.localeCompare(b.logicalDate));
  return { total: items.length, done, skipped, elsewhere, failed, running: [], runs };
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
      dedupeKey: backfillDedupeKey(pipeline.name, item.logicalDate),
      backfillId,
    });
    queued.push({ logicalDate: item.logicalDate, created, run });
  }
  return queued;
}

/** The key a backfill's run of a date is created under, whoever submits it (the API, a CLI, a second CLI). */
export function backfillDedupeKey(pipeline: string, logicalDate: string): string {
  return `backfill:${pipeline}@${logicalDate}`;
}

/**
 * What a submitter may do with a date of a backfill: run it (a new run, or
 * the date's failed or cancelled run taken back as its next attempt), or
 * leave it to whoever holds it (queued, running or succeeded).
 */
export type BackfillClaim =
  | { readonly kind: 'new'; readonly run: RunRecord }
  | { readonly kind: 'retry'; readonly run: RunRecord; readonly lost: boolean }
  | { readonly kind: 'elsewhere'; readonly run: RunRecord };

/**
 * Decides in the run store, atomically across processes, who runs a date:
 * the date's run is created under its backfill key (`createRunOnce`),
 * `running` under `owner`'s lease, so a scheduler never takes it as queued
 * work; when the key exists, a failed or cancelled run is taken back
 * (`requeueRun`, of concurrent callers one wins) and any other is someone
 * else's. The queue never decides: two submitters of the same dates each run
 * a disjoint share.
 */
export async function claimBackfillDate(
  store: RunHistory & RunQueue,
  pipeline: Pipeline,
  item: BackfillItem,
  claim: { readonly owner: string; readonly leaseMs: number; readonly backfillId: string; readonly variables: Readonly<Record<string, string | number | boolean>> },
): Promise<BackfillClaim> {
  const { created, run } = await store.createRunOnce({
    id: newRunId(),
    pipeline: pipeline.name,
    pipelineVersion: pipeline.version,
    logicalDate: item.logicalDate,
    variables: { ...pipeline.variables, ...claim.variables },
    trigger: 'backfill',
    startedAt: new Date().toISOString(),
    status: 'running',
    dedupeKey: backfillDedupeKey(pipeline.name, item.logicalDate),
    backfillId: claim.backfillId,
    // Created under the owner's lease: no heartbeat needed to take it.
    lease: { owner: claim.owner, leaseMs: claim.leaseMs },
  });
  if (created) return { kind: 'new', run };
  if (run.status === 'failed' || run.status === 'cancelled') {
    const taken = await store.requeueRun(run.id, { owner: claim.owner, leaseMs: claim.leaseMs });
    if (taken) return { kind: 'retry', run: taken, lost: run.error?.code === 'run.lost' };
    return { kind: 'elsewhere', run: (await store.getRun(run.id)) ?? run };
  }
  return { kind: 'elsewhere', run };
}

/**
 * Waits until another process's run ends, reading the store every
 * `everyMs`. Lost runs are reaped on the way, so a holder that died ends as
 * `run.lost` instead of being waited on for ever.
 */
export async function waitForRunEnd(store: RunHistory & RunQueue, id: string, signal?: AbortSignal, everyMs = 1000): Promise<RunRecord | undefined> {
  for (let polls = 0; !signal?.aborted; polls++) {
    const run = await store.getRun(id);
    if (!run || (run.status !== 'queued' && run.status !== 'running')) return run;
    if (polls % 10 === 9) await store.reapLostRuns();
    await new Promise<void>((resolve) => {
      // The listener goes when the timer fires: one per poll left behind would pile up on a long wait.
      const onAbort = (): void => (clearTimeout(timer), resolve());
      const timer = setTimeout(() => (signal?.removeEventListener('abort', onAbort), resolve()), everyMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
  return store.getRun(id);
}
