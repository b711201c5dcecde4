import type { SerializedError } from '../errors.ts';
import type { Column } from '../data-plane/data-plane.ts';
import type { RunTrigger } from '../run/run-triggers.ts';
import type { CheckResultRecord } from '../quality/check-result.ts';
import type { OutputProfile } from '../quality/profile-output.ts';
import type { TouchedDataset } from '../lineage/touched-datasets.ts';
import type { OutputFingerprint } from '../quality/fingerprint-output.ts';
import type { AuditLog } from './audit-log.ts';
import type { UserStore } from './user-store.ts';

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

/** A copy of an integration stream's committed state (the destination holds the truth). */
export interface SyncStateRecord {
  readonly pipeline: string;
  readonly stream: string;
  readonly state: Readonly<Record<string, unknown>>;
  readonly updatedAt: string;
}

/** A change to a destination table's shape made (or refused) by a sync. */
export interface SchemaEventRecord {
  readonly pipeline: string;
  readonly stream: string;
  readonly table: string;
  /** e.g. `create_table`, `add_column`, `widen_column`, `dropped_column`, `reject_rows`, `freeze_violation`. */
  readonly kind: string;
  readonly detail: string;
  readonly runId?: string | undefined;
  readonly at: string;
}

/** The profile of one block run's output. */
export interface ProfileRecord {
  readonly runId: string;
  readonly block: string;
  readonly profile: OutputProfile;
}

/** The detector's verdict on a metric value (see core/quality/anomaly-detector.ts). */
export interface MetricVerdictRecord {
  readonly expected: number;
  readonly low: number;
  readonly high: number;
  /** Robust deviations from the expected value, signed. */
  readonly score: number;
  readonly anomaly: boolean;
  readonly reason: string;
}

/** One value of one of a block's metrics in one run. */
export interface MetricPointRecord {
  readonly runId: string;
  readonly pipeline: string;
  readonly block: string;
  /** `rows`, `null_rate:COLUMN` or `sum:COLUMN`. */
  readonly metric: string;
  /** Null when there was nothing to measure (the sum of a column with only nulls). */
  readonly value: number | null;
  /** The day the value describes: the run's logical date, else the day it ran (`YYYY-MM-DD`). */
  readonly date: string;
  /** When it was recorded (ISO 8601); orders runs of one date. */
  readonly at: string;
  /** Absent while the metric had too little history to judge. */
  readonly verdict?: MetricVerdictRecord | undefined;
  /** A flagged value a user marked as expected: the detector takes it as the new level. */
  readonly markedExpected: boolean;
}

export interface MetricHistoryQuery {
  /** Only values recorded before this point, ordered by date then time, and not of this run. */
  readonly before?: { readonly runId: string; readonly date: string; readonly at: string } | undefined;
  /** At most this many newest values of each metric. Default 90. */
  readonly limit?: number | undefined;
  readonly metric?: string | undefined;
}

/** The fingerprint of a succeeded block run's output: the baseline the block's next output is compared with. */
export interface FingerprintRecord {
  readonly runId: string;
  readonly pipeline: string;
  readonly block: string;
  readonly fingerprint: OutputFingerprint;
  /** When it was recorded (ISO 8601); the newest is the baseline. */
  readonly at: string;
}

/** What a block's drift policy did about a drift: `warned`, `failed` the block, `accepted` it (evolve) or `discarded` the rows that broke it. */
export type DriftAction = 'warned' | 'failed' | 'accepted' | 'discarded';

/** One drift found in a block's output against its baseline (see core/quality/compare-fingerprints.ts). */
export interface DriftEventRecord {
  readonly runId: string;
  readonly pipeline: string;
  readonly block: string;
  readonly column: string;
  /** `added_column`, `dropped_column`, `retyped`, `text_in_number`, `format_changed` or `null_rate_jump`. */
  readonly kind: string;
  readonly before?: string | undefined;
  readonly after?: string | undefined;
  readonly action: DriftAction;
  readonly message: string;
  /** Rows whose value breaks the column's established shape (for `discarded`, the rows moved out). */
  readonly rows?: number | undefined;
  /** A few of those rows, as they were. */
  readonly samples?: readonly Readonly<Record<string, unknown>>[] | undefined;
  readonly at: string;
}

export interface DriftEventQuery {
  readonly pipeline?: string | undefined;
  readonly runId?: string | undefined;
  /** At most this many, newest first; 100 by default. */
  readonly limit?: number | undefined;
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
 * Where run history lives. The embedded store is SQLite; a PostgreSQL store
 * serves many machines. Both pass the same contract tests (`describeRunStoreContract`).
 */
export interface RunStore {
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
  upsertBlockRun(record: BlockRunRecord): Promise<void>;
  listBlockRuns(runId: string): Promise<BlockRunRecord[]>;
  /** The newest succeeded block run of `block` in `pipeline` that still has a stored output. */
  latestOutput(pipeline: string, block: string): Promise<BlockRunRecord | undefined>;
  /** The tables the block's latest succeeded run that recorded any read or wrote; undefined when none did. */
  latestDatasets(pipeline: string, block: string): Promise<readonly TouchedDataset[] | undefined>;
  appendLog(record: LogRecord): Promise<void>;
  /** A run's log lines in order; `offset` skips the first lines, for a reader following a run. */
  listLogs(runId: string, options?: { block?: string; offset?: number }): Promise<LogRecord[]>;
  /** Run ids of a pipeline beyond the newest `keep`, oldest first. */
  runsBeyond(pipeline: string, keep: number): Promise<string[]>;
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
  /** Mirrors an integration stream's state after each committed batch. */
  putSyncState(record: SyncStateRecord): Promise<void>;
  listSyncState(pipeline: string): Promise<SyncStateRecord[]>;
  /** Forgets the mirrored state of a pipeline's streams (all, or one). */
  deleteSyncState(pipeline: string, stream?: string): Promise<void>;
  appendSchemaEvent(event: SchemaEventRecord): Promise<void>;
  /** Oldest first. */
  listSchemaEvents(pipeline: string): Promise<SchemaEventRecord[]>;
  /** Replaces what the checks of one block run found (a retried block records its last attempt). */
  putCheckResults(runId: string, block: string, results: readonly CheckResultRecord[]): Promise<void>;
  /** A run's check results, by block, in the order the checks are written. */
  listCheckResults(runId: string): Promise<CheckResultRecord[]>;
  /** One check's results over the runs of its pipeline, newest first (at most `limit`, 50 by default). */
  checkHistory(pipeline: string, block: string, check: string, limit?: number): Promise<CheckResultRecord[]>;
  /** Keeps (or replaces) the profile of a block run's output. */
  putProfile(record: ProfileRecord): Promise<void>;
  getProfile(runId: string, block: string): Promise<ProfileRecord | undefined>;
  /** Records metric values (of one run and block); a value recorded again for the same run replaces the old one. */
  putMetricPoints(points: readonly MetricPointRecord[]): Promise<void>;
  /** A block's metric values, the newest `limit` of each metric, oldest first (by date, then time). */
  listMetricHistory(pipeline: string, block: string, query?: MetricHistoryQuery): Promise<MetricPointRecord[]>;
  /** Every metric value a run recorded, by block and metric. */
  listRunMetricPoints(runId: string): Promise<MetricPointRecord[]>;
  /** Marks a recorded value as expected; returns it, or undefined when the run recorded no such value. */
  markMetricExpected(runId: string, block: string, metric: string): Promise<MetricPointRecord | undefined>;
  /** Keeps (or replaces) the fingerprint of a succeeded block run's output. */
  putFingerprint(record: FingerprintRecord): Promise<void>;
  /** The newest fingerprint of the block's output recorded by another run than `exceptRunId`: its drift baseline. */
  baselineFingerprint(pipeline: string, block: string, exceptRunId: string): Promise<FingerprintRecord | undefined>;
  /** Replaces the drift events of one block run (a retried block records its last attempt). */
  putDriftEvents(runId: string, block: string, events: readonly DriftEventRecord[]): Promise<void>;
  /** Drift events, newest first (by time, then in the order a block run recorded them). */
  listDriftEvents(query?: DriftEventQuery): Promise<DriftEventRecord[]>;
  /** Who did what and when: append and read only (see audit-log.ts). */
  readonly audit: AuditLog;
  /** Users, their sessions and API keys (see user-store.ts). */
  readonly users: UserStore;
  close(): Promise<void>;
}
