import type { RunRecord } from './run-history.ts';

/**
 * The queue of runs and the leases on them: claims, heartbeats, lost runs,
 * retries, and named leases (the scheduler's). One role of the run store;
 * every method is atomic across processes sharing the store.
 */
export interface RunQueue {
  /**
   * Records that `owner` (a process id) holds the running run until now plus
   * `leaseMs`. False when the run is no longer `running` (e.g. it was reaped):
   * the owner should then stop working on it.
   */
  heartbeat(runId: string, owner: string, leaseMs: number): Promise<boolean>;
  /**
   * Fails, with error code `run.lost`, every `running` run whose lease expired,
   * or that never sent a heartbeat and started more than a minute before `now`,
   * and returns them. Callers in several processes at once each get a disjoint
   * share. `now` defaults to the store's clock (the server's for PostgreSQL).
   */
  reapLostRuns(now?: Date): Promise<RunRecord[]>;
  /**
   * Takes the oldest `queued` run (by `startedAt`, then id), sets it `running`
   * and gives `owner` its lease until now plus `leaseMs`, as `heartbeat` does,
   * then returns it. Atomic across processes: concurrent callers never get the
   * same run. Undefined when nothing is queued.
   */
  claimQueuedRun(owner: string, leaseMs: number): Promise<RunRecord | undefined>;
  /**
   * Puts a `failed` or `cancelled` run back in the queue as its next attempt:
   * status `queued`, `attempt` plus one, no end time, error or lease, and its
   * block runs that did not succeed `pending` again, without the times, counts,
   * outputs and errors of the failed attempt (succeeded ones keep theirs). The
   * run keeps its id, dedupe key, logical date, variables and start time.
   * Returns the updated run, or undefined when the run is not failed or
   * cancelled: of concurrent callers exactly one succeeds. With `claim`, the
   * run does not wait in the queue: it is `running` at once under that
   * owner's lease (as `claimQueuedRun` would leave it), so a process can take
   * back a run of its own, e.g. a resumed backfill its date's lost run.
   */
  requeueRun(id: string, claim?: { readonly owner: string; readonly leaseMs: number }): Promise<RunRecord | undefined>;
  /**
   * Takes or renews the lease `name` (e.g. `scheduler`) for `ttlMs`: true when
   * `owner` holds it afterwards, false while another owner's lease is live.
   * Atomic across processes: among concurrent callers exactly one wins.
   */
  acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if `owner` holds it; true when it did. */
  releaseLease(name: string, owner: string): Promise<boolean>;
}
