import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Pipeline } from '../core/pipeline/pipeline.ts';
import { nextTick, parseInstant } from '../core/pipeline/schedule.ts';
import type { RunHistory, RunRecord } from '../core/run-store/run-history.ts';
import type { RunQueue } from '../core/run-store/run-queue.ts';
import type { SchedulerEvent } from './scheduler-event.ts';
import { intervalForDate } from '../core/run/logical-date.ts';
import { SluiceError } from '../core/errors.ts';
import { newRunId } from '../core/run/run-pipeline.ts';
import { dueIntervals, nextDue, type DueInterval } from './due-intervals.ts';
import { matchingFiles } from './file-arrivals.ts';
import path from 'node:path';
import { readHeartbeat } from '../streaming/index.ts';
import type { CommittedTotals } from '../streaming/index.ts';
import { streamEvents } from './stream-events.ts';
import { retryLostRuns } from './retry-lost-runs.ts';

/** What the scheduler needs from the outside, so it runs the same in a CLI, a server or a test. */
export interface SchedulerDependencies {
  readonly store: RunHistory & RunQueue;
  /** The project's pipelines, read again on every pass (files are the truth). */
  readonly loadPipelines: () => Pipeline[];
  /** Runs a run the scheduler created or claimed (status `running`, id given); resolves when it ends. */
  readonly execute: (request: ExecuteRequest) => Promise<unknown>;
  /** The project folder, where file triggers look for files. */
  readonly root: string;
  /** What a streaming pipeline has committed, for `on_stream` triggers; its heartbeat in the project's state folder by default. */
  readonly streamTotals?: (pipeline: string) => CommittedTotals | undefined;
  /** Told once per run that is still unfinished when its schedule's deadline passes. */
  readonly onDeadlineMissed?: (pipeline: Pipeline, run: RunRecord, deadline: Date) => Promise<unknown>;
  readonly now?: () => Date;
  /** Told about what happens, for logs and tests. */
  readonly onEvent?: (event: SchedulerEvent) => void;
  /** Identifies this process in leases; unique per process. */
  readonly owner?: string;
  readonly leaseMs?: number;
  readonly pollMs?: number;
  /** Runs this process executes at once (4 by default); the rest wait in order. */
  readonly maxConcurrentRuns?: number;
}

type Variables = Readonly<Record<string, string | number | boolean>>;

export interface ExecuteRequest {
  readonly pipeline: Pipeline;
  readonly due: DueInterval | undefined;
  readonly runId: string;
  readonly heartbeat: { readonly owner: string; readonly leaseMs: number };
  readonly variables?: Variables | undefined;
  /** A retried run: run only the blocks it has not finished, on the outputs of those it has. */
  readonly resume?: boolean | undefined;
}

export type { SchedulerEvent };

export interface Scheduler {
  readonly owner: string;
  /** One pass: take or renew the leader lease, reap lost runs, fire what is due. */
  tick(): Promise<void>;
  start(): void;
  /** Stops firing and waits for the runs this process started. */
  stop(): Promise<void>;
}

/**
 * Fires scheduled runs. Any number of schedulers may point at one run store:
 * a leader lease lets one fire at a time, and each tick's run is created under
 * a key unique to the pipeline and logical date, so even two leaders (a lease
 * that lapsed mid-pass) cannot start one tick twice. A standby takes over when
 * the leader's lease expires, and owes every interval the leader missed.
 * Every scheduler, leader or standby, takes queued runs (backfills, retries)
 * while it has room: each is claimed in the run store, so once.
 */
export function createScheduler(deps: SchedulerDependencies): Scheduler {
  const owner = deps.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const leaseMs = deps.leaseMs ?? 10_000;
  const pollMs = deps.pollMs ?? 250;
  const now = deps.now ?? (() => new Date());
  const running = new Set<Promise<unknown>>();
  /** Ids of the runs this process is executing or holding for a slot. */
  const liveRuns = new Set<string>();
  const slots = createSlots(deps.maxConcurrentRuns ?? 4);
  let leader = false;
  let timer: NodeJS.Timeout | undefined;
  let passing: Promise<void> | undefined;
  let stopped = false;
  // Until this time nothing can be due for a pipeline: checks are skipped (cheap with many pipelines).
  const quietUntil = new Map<string, number>();
  // File and stream event keys already turned into runs (by this or another scheduler): skipped without asking the store.
  const seenFiles = new Set<string>();
  const streamTotals = deps.streamTotals ?? ((pipeline: string) => readHeartbeat(path.join(deps.root, '.sluice'), pipeline)?.committed);
  const deadlineAlerted = new Set<string>();
  // Lost runs already retried or left alone by this process.
  const settledLostRuns = new Set<string>();

  const emit = (event: SchedulerEvent): void => deps.onEvent?.(event);

  async function pass(): Promise<void> {
    const isLeader = await deps.store.acquireLease('scheduler', owner, leaseMs);
    if (isLeader !== leader) {
      leader = isLeader;
      quietUntil.clear();
      emit({ kind: isLeader ? 'leader' : 'standby', owner });
    }
    if (!isLeader && slots.free() === 0) return;
    const pipelines = deps.loadPipelines();
    // Renew this process's own runs first: a pass that follows a long pause must not reap runs still working here.
    await Promise.all([...liveRuns].map((id) => deps.store.heartbeat(id, owner, leaseMs).catch(() => true)));
    // A standby takes queued runs too (a backfill's dates spread over every scheduler); firing,
    // reaping and retrying stay with the leader, so each happens once.
    if (!isLeader) return runQueued(pipelines);
    for (const run of await deps.store.reapLostRuns()) emit({ kind: 'reaped', run });
    await retryLostRuns(deps.store, pipelines, settledLostRuns, emit).catch((error: unknown) => emit({ kind: 'error', message: (error as Error).message }));
    await runQueued(pipelines);
    const at = now();
    for (const pipeline of pipelines) {
      if (pipeline.onFile) {
        await fireForFiles(pipeline).catch((error: unknown) => emit({ kind: 'error', pipeline: pipeline.name, message: (error as Error).message }));
      }
      if (pipeline.onStream) {
        await fireForStream(pipeline).catch((error: unknown) => emit({ kind: 'error', pipeline: pipeline.name, message: (error as Error).message }));
      }
      if (!pipeline.schedule?.enabled) continue;
      if (pipeline.schedule.deadline !== undefined && deps.onDeadlineMissed) {
        await checkDeadlines(pipeline, at).catch((error: unknown) => emit({ kind: 'error', pipeline: pipeline.name, message: (error as Error).message }));
      }
      if ((quietUntil.get(pipeline.name) ?? 0) > at.getTime()) continue;
      try {
        await firePipeline(pipeline, at);
      } catch (error) {
        emit({ kind: 'error', pipeline: pipeline.name, message: (error as Error).message });
      }
    }
  }

  /** Takes queued runs (backfills, retries) while this process has room, oldest first. */
  async function runQueued(pipelines: readonly Pipeline[]): Promise<void> {
    while (slots.free() > 0) {
      const run = await deps.store.claimQueuedRun(owner, leaseMs);
      if (!run) return;
      const pipeline = pipelines.find((p) => p.name === run.pipeline);
      if (!pipeline) {
        await deps.store.finishRun(run.id, 'failed', new SluiceError('run.pipeline_missing', `pipeline '${run.pipeline}' no longer exists`).toJSON());
        continue;
      }
      const due = run.logicalDate ? intervalForDate(pipeline, run.logicalDate) : undefined;
      emit({ kind: 'fired', pipeline: pipeline.name, logicalDate: run.logicalDate ?? '', runId: run.id, lateMs: 0 });
      track(pipeline, run.id, () =>
        deps.execute({ pipeline, due, runId: run.id, heartbeat: { owner, leaseMs }, variables: run.variables as Variables, resume: run.attempt > 1 }),
      );
    }
  }

  /**
   * Runs at most `maxConcurrentRuns` at once; the others wait their turn
   * while the scheduler keeps their leases, so no one takes them for lost.
   */
  function track(pipeline: Pipeline, id: string, execute: () => Promise<unknown>): void {
    liveRuns.add(id);
    const waiting = setInterval(() => void deps.store.heartbeat(id, owner, leaseMs).catch(() => undefined), Math.max(100, leaseMs / 3));
    void deps.store.heartbeat(id, owner, leaseMs).catch(() => undefined);
    const execution = slots.take().then(async (release) => {
      clearInterval(waiting);
      try {
        return await execute();
      } finally {
        release();
      }
    });
    const work = execution
      .catch((error: unknown) => emit({ kind: 'error', pipeline: pipeline.name, message: (error as Error).message }))
      .finally(() => {
        running.delete(work);
        liveRuns.delete(id);
        emit({ kind: 'finished', pipeline: pipeline.name, runId: id });
      });
    running.add(work);
  }

  /** A scheduled run not finished `deadline` after its interval ended is reported, once per run. */
  async function checkDeadlines(pipeline: Pipeline, at: Date): Promise<void> {
    const schedule = pipeline.schedule!;
    for (const status of ['running', 'queued'] as const) {
      for (const run of await deps.store.listRuns({ pipeline: pipeline.name, status, trigger: 'schedule', limit: 100 })) {
        if (!run.logicalDate || deadlineAlerted.has(run.id)) continue;
        const end = nextTick({ ...schedule, start_date: undefined, end_date: undefined }, new Date(parseInstant(run.logicalDate, schedule.timezone)));
        if (!end) continue;
        const deadline = new Date(end.getTime() + schedule.deadline!);
        if (deadline.getTime() > at.getTime()) continue;
        deadlineAlerted.add(run.id);
        emit({ kind: 'deadline', pipeline: pipeline.name, runId: run.id, deadline });
        await deps.onDeadlineMissed!(pipeline, run, deadline);
      }
    }
  }

  /** One run per arrived file (a rewritten file arrives again), keyed so it fires once however many schedulers look. */
  async function fireForFiles(pipeline: Pipeline): Promise<void> {
    for (const file of matchingFiles(deps.root, pipeline.onFile!)) {
      const key = `file:${pipeline.name}:${file.key}`;
      if (seenFiles.has(key)) continue;
      const id = newRunId();
      const variables = { ...pipeline.variables, trigger_file: file.path };
      const { created } = await deps.store.createRunOnce({
        id,
        pipeline: pipeline.name,
        pipelineVersion: pipeline.version,
        variables,
        trigger: 'file',
        startedAt: now().toISOString(),
        dedupeKey: key,
      });
      seenFiles.add(key);
      if (!created) continue;
      emit({ kind: 'fired', pipeline: pipeline.name, logicalDate: file.path, runId: id, lateMs: 0 });
      track(pipeline, id, () => deps.execute({ pipeline, due: undefined, runId: id, heartbeat: { owner, leaseMs }, variables }));
    }
  }

  /** A run per event of the streaming pipeline the trigger follows, keyed so it fires once however many schedulers look, and after a restart. */
  async function fireForStream(pipeline: Pipeline): Promise<void> {
    for (const event of streamEvents(pipeline.name, pipeline.onStream!, streamTotals(pipeline.onStream!.pipeline))) {
      if (seenFiles.has(event.key)) continue;
      const id = newRunId();
      const variables = { ...pipeline.variables, ...event.variables };
      const { created } = await deps.store.createRunOnce({ id, pipeline: pipeline.name, pipelineVersion: pipeline.version, variables, trigger: 'stream', startedAt: now().toISOString(), dedupeKey: event.key });
      seenFiles.add(event.key);
      if (!created) continue;
      emit({ kind: 'fired', pipeline: pipeline.name, logicalDate: event.detail, runId: id, lateMs: 0 });
      track(pipeline, id, () => deps.execute({ pipeline, due: undefined, runId: id, heartbeat: { owner, leaseMs }, variables }));
    }
  }

  async function firePipeline(pipeline: Pipeline, at: Date): Promise<void> {
    const schedule = pipeline.schedule!;
    const [last] = await deps.store.listRuns({ pipeline: pipeline.name, trigger: 'schedule', limit: 1 });
    const due = dueIntervals(schedule, last?.logicalDate, at);
    if (!due.length) {
      // Nothing can be due before the current interval ends: skip this pipeline's checks until then.
      const next = nextDue(schedule, at);
      quietUntil.set(pipeline.name, next ? next.getTime() : Number.POSITIVE_INFINITY);
      return;
    }
    const active = (await deps.store.listRuns({ pipeline: pipeline.name, status: 'running', limit: schedule.max_active_runs + 1 })).length;
    let slots = schedule.max_active_runs - active;
    for (const item of due) {
      const key = `schedule:${pipeline.name}@${item.logicalDate}`;
      if (slots <= 0) {
        if (schedule.on_max_active === 'wait') return;
        const { created } = await deps.store.createRunOnce({
          id: newRunId(),
          pipeline: pipeline.name,
          pipelineVersion: pipeline.version,
          logicalDate: item.logicalDate,
          variables: pipeline.variables,
          trigger: 'schedule',
          startedAt: at.toISOString(),
          status: 'cancelled',
          dedupeKey: key,
        });
        if (created) emit({ kind: 'skipped', pipeline: pipeline.name, logicalDate: item.logicalDate, reason: `${schedule.max_active_runs} run(s) already active` });
        continue;
      }
      const id = newRunId();
      const { created } = await deps.store.createRunOnce({
        id,
        pipeline: pipeline.name,
        pipelineVersion: pipeline.version,
        logicalDate: item.logicalDate,
        variables: pipeline.variables,
        trigger: 'schedule',
        startedAt: now().toISOString(),
        dedupeKey: key,
      });
      if (!created) continue;
      slots--;
      emit({ kind: 'fired', pipeline: pipeline.name, logicalDate: item.logicalDate, runId: id, lateMs: now().getTime() - item.interval.end.getTime() });
      track(pipeline, id, () => deps.execute({ pipeline, due: item, runId: id, heartbeat: { owner, leaseMs } }));
    }
  }

  const loop = (): void => {
    if (stopped) return;
    passing = pass()
      .catch((error: unknown) => emit({ kind: 'error', message: (error as Error).message }))
      .finally(() => {
        passing = undefined;
        if (!stopped) timer = setTimeout(loop, pollMs);
      });
  };

  return {
    owner,
    tick: () => pass(),
    start() {
      stopped = false;
      loop();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await passing;
      await Promise.allSettled([...running]);
      if (leader) await deps.store.releaseLease('scheduler', owner).catch(() => false);
    },
  };
}

/** A counting semaphore: `take` resolves with a release function when a slot is free, in order. */
function createSlots(size: number): { take(): Promise<() => void>; free(): number } {
  let free = Math.max(1, size);
  const waiters: (() => void)[] = [];
  const release = (): void => {
    const next = waiters.shift();
    if (next) next();
    else free++;
  };
  return {
    free: () => free - waiters.length,
    take() {
      if (free > 0) {
        free--;
        return Promise.resolve(release);
      }
      return new Promise((resolve) => waiters.push(() => resolve(release)));
    },
  };
}
