import type { AuditLog } from './audit-log.ts';
import type { StreamMetricsStore } from './stream-metrics-store.ts';
import type { UserStore } from './user-store.ts';
import type { RunHistory } from './run-history.ts';
import type { RunQueue } from './run-queue.ts';
import type { SyncStateStore } from './sync-state-store.ts';
import type { QualityStore } from './quality-store.ts';

export { runStatuses } from './run-history.ts';
export type { BlockRunRecord, BlockRunStatus, LogLevel, LogRecord, NewRunRecord, RunFilter, RunHistory, RunRecord, RunStatus } from './run-history.ts';
export type { RunQueue } from './run-queue.ts';
export type { SchemaEventRecord, SyncStateRecord, SyncStateStore } from './sync-state-store.ts';
export type {
  CheckResultStore,
  DriftAction,
  DriftEventQuery,
  DriftEventRecord,
  DriftStore,
  FingerprintRecord,
  MetricHistoryQuery,
  MetricPointRecord,
  MetricStore,
  MetricVerdictRecord,
  ProfileRecord,
  ProfileStore,
  QualityStore,
} from './quality-store.ts';

/**
 * Where run metadata lives, as the composition root opens it: the embedded
 * store is SQLite; a PostgreSQL store serves many machines. It is the sum of
 * its roles, and code that needs only one asks for that role:
 * - `RunHistory`: runs, block runs, logs and retention;
 * - `RunQueue`: queued runs, claims, heartbeats, lost runs, retries and named leases;
 * - `SyncStateStore`: integration stream state and schema events;
 * - `QualityStore`: check results, profiles, metrics, fingerprints and drift events.
 * Both stores pass each role's contract suite (`describeRunStoreContract` runs them all).
 */
export interface RunStore extends RunHistory, RunQueue, SyncStateStore, QualityStore {
  /** Who did what and when: append and read only (see audit-log.ts). */
  readonly audit: AuditLog;
  /** Users, their sessions and API keys (see user-store.ts). */
  readonly users: UserStore;
  /** Streaming pipelines' metrics over time (see stream-metrics-store.ts). */
  readonly streamMetrics: StreamMetricsStore;
  close(): Promise<void>;
}
