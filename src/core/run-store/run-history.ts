import type { SerializedError } from '../errors.ts';
import type { Column } from '../data-plane/data-plane.ts';
import type { RunTrigger } from '../run/run-triggers.ts';
import type { TouchedDataset } from '../lineage/touched-datasets.ts';

export const runStatuses = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof runStatuses)[number];
export type BlockRunStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface RunRecord {
  readonly id: string;
  readonly pipeline: string;
  readonly status: RunStatus;
  readonly pipelineVersion: string;
  readonly logicalDate?: string | undefined;
  readonly variables: Readonly<Record<string, unknown>>;
  readonly trigger: string;
  readonly startedAt: string;
  readonly endedAt?: string | undefined;
  readonly error?: SerializedError | undefined;
  /**
   * Runs sharing a key are one logical run: `createRunOnce` creates at most one
   * of them (e.g. `daily_sales@2024-05-01`, so two triggers of the same date coalesce).
   */
  readonly dedupeKey?: string | undefined;
  /** 1 for a new run; `requeueRun` adds one each time the same run is tried again. */
  readonly attempt: number;
  /**
   * Rows its blocks rejected (kept apart instead of loaded), summed; filled by
   * `getRun` and `listRuns`. A succeeded run with rejects is "succeeded with N
   * rejected rows", never a plain success.
   */
  readonly rowsRejected?: number | undefined;
  /** The backfill the run belongs to: runs of one backfill request share it. */
  readonly backfillId?: string | undefined;
  /** The process (`host:pid:…`) that holds the run's lease, and when it last said it is alive. */
  readonly leaseOwner?: string | undefined;
  readonly heartbeatAt?: string | undefined;
}

/** What `createRun` takes: a run starts `running`, attempt 1, unless told otherwise. */
export type NewRunRecord = Omit<RunRecord, 'status' | 'endedAt' | 'error' | 'attempt' | 'rowsRejected' | 'trigger' | 'leaseOwner' | 'heartbeatAt'> & {
  readonly status?: RunStatus;
  readonly trigger: RunTrigger;
  /**
   * A running run created with its lease already taken, as a `heartbeat` by
   * `owner` right after would take it: one statement instead of two.
   */
  readonly lease?: { readonly owner: string; readonly leaseMs: number } | undefined;
};

export interface BlockRunRecord {
  readonly runId: string;
  readonly block: string;
  readonly status: BlockRunStatus;
  readonly startedAt?: string | undefined;
  readonly endedAt?: string | undefined;
  readonly rowsIn?: number | undefined;
  readonly rowsOut?: number | undefined;
  /** Rows the block kept apart as rejects instead of loading them. */
  readonly rowsRejected?: number | undefined;
  /** Where the block's output is stored, when it produced one. */
  readonly output?: string | undefined;
  readonly columns?: readonly Column[] | undefined;
  readonly error?: SerializedError | undefined;
  /** A short account of what the block did, e.g. "loaded 4,749,691 rows into public.sales". */
  readonly summary?: string | undefined;
  /** Tables the block's own code read or wrote through its connections (TypeScript blocks), for lineage. */
  readonly datasets?: readonly TouchedDataset[] | undefined;
}

export interface LogRecord {
  readonly runId: string;
  readonly block?: string | undefined;
  readonly level: LogLevel;
  readonly message: string;
  readonly at: string;
}

export interface RunFilter {
  readonly pipeline?: string;
  readonly status?: RunStatus;
  /** What started the runs, exactly as recorded, e.g. `manual` or `schedule`. */
  readonly trigger?: string;
  /** Runs whose trigger is of this kind (`ui` takes `ui` and `ui:blocks`; `retry` every `retry of …`). */
  readonly triggerKind?: string;
  /** The runs of one backfill. */
  readonly backfillId?: string;
  /** Only the newest matching run of each backfill, so a list shows a backfill as one row. */
  readonly onePerBackfill?: boolean;
  /** Runs that started at or after this instant (ISO 8601). */
  readonly since?: string;
  /** Runs that started before this instant (ISO 8601). */
  readonly until?: string;
  /** Runs of this logical date, compared as written (e.g. `2024-05-01`). */
  readonly logicalDate?: string;
  /** At most this many runs; 50 by default. */
  readonly limit?: number;
  /** Skips this many matching runs first, for paging. */
  readonly offset?: number;
}

/**
 * Run history: runs, their block runs and logs, as the run loop records them
 * and the CLI, the API and the UI read them. One role of the run store.
 */
export interface RunHistory {
  createRun(run: NewRunRecord): Promise<void>;
  /**
   * Creates the run unless a run with the same `dedupeKey` exists, atomically
   * across processes; otherwise returns that run. Without a key it always creates.
   */
  createRunOnce(run: NewRunRecord): Promise<{ created: boolean; run: RunRecord }>;
  finishRun(id: string, status: RunStatus, error?: SerializedError): Promise<void>;
  /**
   * Marks a `queued` or `running` run `cancelled`, atomically, and returns it;
   * undefined when it had already finished. The process running it learns it
   * at its next heartbeat (which then fails) and stops its blocks.
   */
  cancelRun(id: string): Promise<RunRecord | undefined>;
  getRun(id: string): Promise<RunRecord | undefined>;
  /** Newest first. */
  listRuns(filter?: RunFilter): Promise<RunRecord[]>;
  /** How many runs match, by status (statuses without runs are left out); `limit` and `offset` are ignored. */
  countRuns(filter?: RunFilter): Promise<Partial<Record<RunStatus, number>>>;
  /**
   * Writes a block run's record. With `fencingToken` (a queue worker's claim),
   * the write is refused with `run_store.stale_claim` when the record was
   * already written under a higher token: the compare is part of the write, so
   * a worker paused past its lease can never overwrite the claim that took over.
   */
  upsertBlockRun(record: BlockRunRecord, fencingToken?: number): Promise<void>;
  listBlockRuns(runId: string): Promise<BlockRunRecord[]>;
  /** The newest succeeded block run of `block` in `pipeline` that still has a stored output. */
  latestOutput(pipeline: string, block: string): Promise<BlockRunRecord | undefined>;
  /** The tables the block's latest succeeded run that recorded any read or wrote; undefined when none did. */
  latestDatasets(pipeline: string, block: string): Promise<readonly TouchedDataset[] | undefined>;
  appendLog(record: LogRecord): Promise<void>;
  /** A run's log lines in order; `offset` skips the first lines, for a reader following a run. */
  listLogs(runId: string, options?: { block?: string; offset?: number }): Promise<LogRecord[]>;
  /**
   * Run ids of a pipeline beyond the newest `keep` whose outputs were not
   * pruned yet, oldest first; a queued or running run (a backfill's, started
   * long ago) is left out, as it still needs its outputs.
   */
  runsBeyond(pipeline: string, keep: number): Promise<string[]>;
  /**
   * Records that these runs' outputs were removed, so `runsBeyond` leaves
   * them out: each run prunes only what crossed the line since, instead of
   * every old run again. A run taken back (`requeueRun`) is kept again.
   */
  recordOutputsPruned(runIds: readonly string[]): Promise<void>;
}
