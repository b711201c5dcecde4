import type { BlockRunJob, BlockRunOutcome } from '../core/run/block-run-job.ts';

/** A block run as the ledger names it. */
export interface BlockRunKey {
  readonly runId: string;
  readonly block: string;
}

/**
 * Where a queued block run stands. `queued` waits for a worker; `running` is
 * held by a worker's claim (its lease); `committed` means the claim kept its
 * output and no other claim may take it unless its lease lapses; `done` holds
 * the outcome; `cancelled` was withdrawn before a worker took it.
 */
export type LedgerState = 'queued' | 'running' | 'committed' | 'done' | 'cancelled';

/** A worker's hold on a block run: the fencing token orders claims, a later one always wins. */
export interface BlockRunClaim extends BlockRunKey {
  readonly token: number;
  readonly attempt: number;
  readonly job: BlockRunJob;
}

export interface LedgerEntry extends BlockRunKey {
  readonly state: LedgerState;
  readonly attempt: number;
  readonly token: number;
  /** Times the block run was put on the queue; each put has its own queue job id. */
  readonly enqueues: number;
  readonly worker?: string | undefined;
  readonly leaseExpired: boolean;
  readonly outcome?: BlockRunOutcome | undefined;
}

export interface WorkerBeat {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  /** The worker's checkout: its git commit, or `-` outside a repository. */
  readonly version: string;
  readonly concurrency: number;
  readonly draining: boolean;
  /** Block runs it holds now, `run/block`. */
  readonly running: readonly string[];
}

export interface WorkerRecord extends WorkerBeat {
  /** An operator asked it to drain (`sluice workers --drain`, the Workers page); it does at its next heartbeat. */
  readonly drainRequested: boolean;
  readonly startedAt: string;
  readonly heartbeatAt: string;
  /** The heartbeat is older than three beats: the worker is likely gone. */
  readonly stale: boolean;
}

export interface QueueStats {
  readonly queued: number;
  readonly running: number;
  /** Seconds the oldest queued block run has waited. */
  readonly oldestWaitSeconds: number;
}

/**
 * The truth about queued block runs, kept in the metadata database: the
 * queue only carries wake-ups. A worker claims a block run here before it
 * runs it, every claim gets the next fencing token, and a worker's writes
 * count only while its token is still the block run's.
 */
export interface BlockRunLedger {
  /** Records the job as queued (again, for a retried run) and returns its enqueue count. */
  enqueue(job: BlockRunJob): Promise<number>;
  /** Counts another put on the queue of a block run still waiting or whose lease lapsed; its new enqueue count, or undefined. */
  reenqueue(key: BlockRunKey, refusal?: string): Promise<number | undefined>;
  /** Takes the block run for `worker` when it is queued or its holder's lease lapsed; undefined when someone else holds it or it ended. */
  claim(key: BlockRunKey, worker: string, leaseMs: number): Promise<BlockRunClaim | undefined>;
  /** Extends the claim's lease; `held` is false once a later claim took it, `cancel` when the run asked to stop. */
  renew(claim: BlockRunClaim, leaseMs: number): Promise<{ held: boolean; cancel: boolean }>;
  /** Whether the claim is still the block run's. */
  holds(claim: BlockRunClaim): Promise<boolean>;
  /** Marks the claim's output as kept; false (and nothing changes) when a later claim took the block run. */
  commit(claim: BlockRunClaim): Promise<boolean>;
  /** Records the outcome and wakes whoever waits on it; false when a later claim took the block run. */
  finish(claim: BlockRunClaim, outcome: BlockRunOutcome): Promise<boolean>;
  /** Withdraws a block run nobody took yet (true), or asks its holder to stop (false). */
  cancel(key: BlockRunKey): Promise<boolean>;
  entries(keys: readonly BlockRunKey[]): Promise<LedgerEntry[]>;
  /**
   * Calls `onDone` with each block run that reaches `done`, as it does. It
   * names the block run only: the waiter reads the outcome with `entries`, so
   * a late notification of an earlier attempt never settles a later one.
   */
  listen(onDone: (key: BlockRunKey) => void): Promise<() => Promise<void>>;
  /** Records the worker's heartbeat; `drain` when an operator asked it to drain since it started. */
  beat(worker: WorkerBeat): Promise<{ drain: boolean }>;
  /** Asks a worker to drain at its next heartbeat; false when no such worker is listed. */
  requestDrain(workerId: string): Promise<boolean>;
  /** Forgets a worker that stopped. */
  leave(workerId: string): Promise<void>;
  workers(): Promise<WorkerRecord[]>;
  stats(): Promise<QueueStats>;
  close(): Promise<void>;
}

/** The queue job id of one put of a block run on the queue. */
export function queueJobId(key: BlockRunKey, enqueues: number): string {
  return `${key.runId}|${key.block}|${enqueues}`;
}
