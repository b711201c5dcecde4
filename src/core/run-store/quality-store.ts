import type { CheckResultRecord } from '../quality/check-result.ts';
import type { OutputProfile } from '../quality/profile-output.ts';
import type { OutputFingerprint } from '../quality/fingerprint-output.ts';

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

/** What the checks of each block run found, and one check's history. */
export interface CheckResultStore {
  /** Replaces what the checks of one block run found (a retried block records its last attempt). */
  putCheckResults(runId: string, block: string, results: readonly CheckResultRecord[]): Promise<void>;
  /** A run's check results, by block, in the order the checks are written. */
  listCheckResults(runId: string): Promise<CheckResultRecord[]>;
  /** One check's results over the runs of its pipeline, newest first (at most `limit`, 50 by default). */
  checkHistory(pipeline: string, block: string, check: string, limit?: number): Promise<CheckResultRecord[]>;
}

/** The profile of each block run's output. */
export interface ProfileStore {
  /** Keeps (or replaces) the profile of a block run's output. */
  putProfile(record: ProfileRecord): Promise<void>;
  getProfile(runId: string, block: string): Promise<ProfileRecord | undefined>;
}

/** The metric history that anomaly detection judges each run's values against. */
export interface MetricStore {
  /** Records metric values (of one run and block); a value recorded again for the same run replaces the old one. */
  putMetricPoints(points: readonly MetricPointRecord[]): Promise<void>;
  /** A block's metric values, the newest `limit` of each metric, oldest first (by date, then time). */
  listMetricHistory(pipeline: string, block: string, query?: MetricHistoryQuery): Promise<MetricPointRecord[]>;
  /** Every metric value a run recorded, by block and metric. */
  listRunMetricPoints(runId: string): Promise<MetricPointRecord[]>;
  /** Marks a recorded value as expected; returns it, or undefined when the run recorded no such value. */
  markMetricExpected(runId: string, block: string, metric: string): Promise<MetricPointRecord | undefined>;
}

/** Output fingerprints (the drift baselines) and the drift events found against them. */
export interface DriftStore {
  /** Keeps (or replaces) the fingerprint of a succeeded block run's output. */
  putFingerprint(record: FingerprintRecord): Promise<void>;
  /** The newest fingerprint of the block's output recorded by another run than `exceptRunId`: its drift baseline. */
  baselineFingerprint(pipeline: string, block: string, exceptRunId: string): Promise<FingerprintRecord | undefined>;
  /** Replaces the drift events of one block run (a retried block records its last attempt). */
  putDriftEvents(runId: string, block: string, events: readonly DriftEventRecord[]): Promise<void>;
  /** Drift events, newest first (by time, then in the order a block run recorded them). */
  listDriftEvents(query?: DriftEventQuery): Promise<DriftEventRecord[]>;
}

/** Quality records kept per block run: checks, profiles, metrics, fingerprints and drift. One role of the run store. */
export interface QualityStore extends CheckResultStore, ProfileStore, MetricStore, DriftStore {}
