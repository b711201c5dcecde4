import { formatDuration } from '../../core/pipeline/duration.ts';
import { mask } from '../../core/project/secrets.ts';
import type { Logger } from '../../core/run/logger.ts';

/** A session of a write waiting for a lock, as the server describes it. */
export interface LockWait {
  /** What it waits for: `AccessExclusiveLock on table sales.orders`. */
  readonly lock: string;
  /** Who holds it: `session 4242 (user bob, application psql, idle in transaction for 40 s)`. */
  readonly blockers: readonly string[];
  /** The holding sessions' ids: the same wait on the same holders is one wait, however its description ages. */
  readonly holderIds: readonly number[];
  readonly waitedMs: number;
}

export interface LockWatchOptions {
  /** A wait shorter than this is normal traffic, not news. */
  readonly afterMs?: number;
  readonly everyMs?: number;
  /** How often a wait that goes on is reported again. */
  readonly repeatMs?: number;
}

/**
 * Asks the server, while a write runs, whether its session waits for a lock;
 * a wait longer than a few seconds is logged (and so shown on the run's
 * progress) with the lock and the session holding it, and again every 30 s
 * while it lasts. Returns the function that stops watching.
 */
export function watchLockWaits(probe: () => Promise<readonly LockWait[]>, logger: Logger, options: LockWatchOptions = {}): () => void {
  const { afterMs = 5_000, everyMs = 1_000, repeatMs = 30_000 } = options;
  const reported = new Map<string, number>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const poll = async (): Promise<void> => {
    // The probe is a courtesy: when it fails (rights, a busy server), the write goes on unwatched.
    const waits = await probe().catch(() => []);
    if (stopped) return;
    for (const wait of waits) {
      if (wait.waitedMs < afterMs) continue;
      const key = `${wait.lock}|${wait.holderIds.join(',')}`;
      const last = reported.get(key);
      if (last !== undefined && wait.waitedMs - last < repeatMs) continue;
      reported.set(key, wait.waitedMs);
      const holders = wait.blockers.length ? `held by ${wait.blockers.join('; ')}` : 'its holder is not shown by the server';
      logger.warn(mask(`waiting ${formatDuration(wait.waitedMs)} for ${wait.lock}, ${holders}`));
    }
    schedule(everyMs);
  };
  const schedule = (ms: number): void => {
    if (stopped) return;
    timer = setTimeout(() => void poll(), ms);
    timer.unref();
  };
  schedule(Math.min(afterMs, everyMs));
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
