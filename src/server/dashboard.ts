import { toSluiceError, type SerializedError } from '../core/errors.ts';
import { listPipelines, loadPipeline } from '../core/pipeline/load-pipeline.ts';
import { nextTick } from '../core/pipeline/schedule.ts';
import type { RunRecord, RunStatus, RunHistory } from '../core/run-store/run-store.ts';

const dayMs = 24 * 60 * 60 * 1000;

export interface FailedRun {
  readonly run: RunRecord;
  /** The blocks that failed, with their errors (locations relative to the project). */
  readonly blocks: readonly { readonly block: string; readonly error: SerializedError | null }[];
}

/** What starts a pipeline next: a schedule's coming times, or a folder it watches. */
export type NextTrigger =
  | { readonly pipeline: string; readonly kind: 'schedule'; readonly schedule: string; readonly timezone: string; readonly next: readonly string[] }
  | { readonly pipeline: string; readonly kind: 'file'; readonly path: string };

export interface Dashboard {
  readonly since: string;
  readonly counts: Partial<Record<RunStatus, number>>;
  readonly failed: readonly FailedRun[];
  readonly next: readonly NextTrigger[];
  /** Pipelines whose file cannot be read, so what runs next is unknown for them. */
  readonly broken: readonly { readonly pipeline: string; readonly error: SerializedError }[];
}

/**
 * The home page at a glance: what failed in the last 24 hours, how many runs
 * ended how, and what each pipeline's triggers start next (the soonest first).
 */
export async function dashboard(root: string, store: RunHistory, now: Date, relative: (error: SerializedError | undefined) => SerializedError | undefined): Promise<Dashboard> {
  const since = new Date(now.getTime() - dayMs).toISOString();
  const failedRuns = await store.listRuns({ status: 'failed', since, limit: 100 });
  const failed = await Promise.all(failedRuns.map(async (run) => ({
    run: { ...run, error: relative(run.error) },
    blocks: (await store.listBlockRuns(run.id)).filter((b) => b.status === 'failed').map((b) => ({ block: b.block, error: relative(b.error) ?? null })),
  })));
  const next: NextTrigger[] = [];
  const broken: Dashboard['broken'][number][] = [];
  for (const name of listPipelines(root)) {
    try {
      const pipeline = loadPipeline(root, name);
      const schedule = pipeline.schedule;
      if (schedule?.enabled) {
        const times: string[] = [];
        for (let at = nextTick(schedule, now); at && times.length < 3; at = nextTick(schedule, at)) times.push(at.toISOString());
        if (times.length) next.push({ pipeline: name, kind: 'schedule', schedule: schedule.cron ?? everyText(schedule.interval!), timezone: schedule.timezone, next: times });
      }
      if (pipeline.onFile) next.push({ pipeline: name, kind: 'file', path: pipeline.onFile.path });
    } catch (error) {
      broken.push({ pipeline: name, error: toSluiceError(error).toJSON() });
    }
  }
  // Schedules by their next time (ISO text sorts as time), then the file triggers, which have none.
  const soonest = (t: NextTrigger): string => (t.kind === 'schedule' ? t.next[0]! : '\uffff');
  next.sort((a, b) => (soonest(a) < soonest(b) ? -1 : soonest(a) > soonest(b) ? 1 : a.pipeline.localeCompare(b.pipeline)));
  return { since, counts: await store.countRuns({ since }), failed, next, broken };
}

/** An interval schedule in words: `every 90 s`, `every 15 min`, `every 2 h`. */
function everyText(ms: number): string {
  if (ms % 3_600_000 === 0) return `every ${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `every ${ms / 60_000} min`;
  return `every ${ms / 1000} s`;
}
