// The shapes of docs/api.md, as the browser sees them.

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type BlockRunStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
export type BlockRole = 'loader' | 'transformer' | 'exporter' | 'test' | 'sensor';
/**
 * How a block is written: TypeScript, SQL, or settings only (a connector, clean, prepare or dedupe block); `sync` is a stream of
 * an integration pipeline. A dedupe block with a review threshold shows as two blocks: itself and `<name>__review`.
 */
export type BlockLanguage = 'ts' | 'sql' | 'connector' | 'sync' | 'clean' | 'prepare' | 'dedupe';
export type VariableValue = string | number | boolean;

export interface ApiErrorBody {
  readonly code: string;
  readonly message: string;
  readonly location?: ErrorLocation;
}

export interface ErrorLocation {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly block?: string;
  readonly record?: number;
}

export interface SerializedError {
  readonly code: string;
  readonly message: string;
  readonly retryable?: boolean;
  readonly kind?: string;
  readonly location?: ErrorLocation;
  readonly userStack?: string;
}

export interface RunRecord {
  readonly id: string;
  readonly pipeline: string;
  readonly status: RunStatus;
  readonly logicalDate?: string;
  readonly variables: Readonly<Record<string, unknown>>;
  readonly trigger: string;
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly error?: SerializedError | null;
  readonly attempt: number;
  /** Rows the run's blocks rejected; absent when none. */
  readonly rowsRejected?: number;
}

export interface Column {
  readonly name: string;
  readonly type: string;
}

export interface BlockRunRecord {
  readonly runId: string;
  readonly block: string;
  readonly status: BlockRunStatus;
  readonly startedAt?: string;
  readonly endedAt?: string;
  readonly rowsIn?: number;
  readonly rowsOut?: number;
  /** Rows the block kept apart as rejects; absent when none. */
  readonly rowsRejected?: number;
  readonly output?: string;
  /** The API answers whether an output is stored, never where. */
  readonly hasOutput?: boolean;
  readonly durationMs?: number | null;
  readonly file?: string | null;
  readonly columns?: readonly Column[];
  readonly error?: SerializedError | null;
  readonly summary?: string;
  /** The JSON files the block run kept with the run, by name (a prepare block's `fitted-transforms.json`). */
  readonly files?: Readonly<Record<string, unknown>>;
}

export interface LogRecord {
  readonly runId: string;
  readonly block?: string;
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly at: string;
}

export interface PipelineSummary {
  readonly name: string;
  readonly description?: string | null;
  readonly blocks?: number;
  readonly schedule?: unknown;
  readonly triggers?: unknown;
  readonly lastRun?: RunRecord | null;
  readonly nextRun?: string | null;
  readonly error?: ApiErrorBody;
}

export interface BlockSpec {
  readonly name: string;
  readonly role?: BlockRole;
  readonly language: BlockLanguage;
  readonly file?: string;
  readonly connector?: string;
  readonly connection?: string;
  readonly upstream: readonly string[];
  readonly settings: Readonly<Record<string, unknown>>;
  /**
   * For a dedupe block: the rows with their cluster ids, or the pairs to review;
   * for a prepare block: every row with its side, or the train or test rows.
   */
  readonly part?: 'clusters' | 'review' | 'split' | 'train' | 'test';
  /** For a dedupe or prepare block: its name in the pipeline file (the review and side blocks add `__review`, `__train`, `__test`). */
  readonly declaredName?: string;
}

export interface PipelineDetail {
  readonly name: string;
  readonly file: string;
  readonly description?: string | null;
  readonly variables: Readonly<Record<string, VariableValue>>;
  readonly schedule?: unknown;
  readonly triggers?: unknown;
  readonly blocks: readonly BlockSpec[];
}

export interface BlockTemplate {
  readonly name: string;
  readonly description?: string;
  readonly role?: BlockRole;
}

/** A JSON Schema as the connectors publish it; only what a form needs. */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly title?: string;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly default?: unknown;
  readonly items?: JsonSchema;
  readonly additionalProperties?: boolean | JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly const?: unknown;
  readonly format?: string;
  readonly writeOnly?: boolean;
}

export interface ConnectorInfo {
  readonly kind: string;
  readonly description?: string;
  readonly capabilities?: unknown;
  readonly connection?: JsonSchema;
  readonly read?: JsonSchema;
  readonly write?: JsonSchema;
}

/** A tool a no-code clean block can name, with its settings as JSON Schema (`GET /api/clean-tools`). */
export interface CleanToolInfo {
  readonly name: string;
  readonly settings: JsonSchema;
}

/** The no-code blocks edited as one form (`GET /api/no-code-blocks`): each kind's settings as JSON Schema. */
export interface NoCodeBlocksInfo {
  readonly blocks: Readonly<Record<'dedupe' | 'prepare', { readonly settings: JsonSchema }>>;
}

export interface ConnectionInfo {
  readonly name: string;
  /** The connector's name, as `connector:` in connections.yaml. */
  readonly connector: string;
  readonly settings: Readonly<Record<string, unknown>>;
}

export interface OutputPage {
  readonly columns: readonly Column[];
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
  readonly rows: readonly Record<string, unknown>[];
}

export interface ColumnStats {
  readonly name: string;
  readonly type: string;
  readonly nulls: number;
  readonly distinct: number;
  readonly min: unknown;
  readonly max: unknown;
}

export interface Triggers {
  readonly schedule: string | null;
  readonly schedule_enabled: boolean;
  readonly api_enabled: boolean;
  readonly on_file?: unknown;
}

export interface GitCommitInfo {
  readonly id: string;
  readonly author: string;
  readonly date: string;
  readonly subject: string;
}

export interface GitStatus {
  readonly branch: string;
  readonly branches: readonly string[];
  readonly changes: readonly { readonly path: string; readonly status: string }[];
}

/** A row of the runs list: a run, the blocks a partial run was limited to, or a whole backfill with its progress. */
export interface RunListRow extends RunRecord {
  readonly backfillId?: string;
  readonly blocks?: readonly string[];
  readonly backfill?: { readonly id: string; readonly total: number; readonly counts: Partial<Record<RunStatus, number>> };
}

export interface RunListPage {
  readonly runs: readonly RunListRow[];
  readonly offset: number;
  readonly limit: number;
  readonly hasMore: boolean;
  /** Every kind of trigger the server records, to filter by. */
  readonly triggerKinds: readonly string[];
}

export interface DashboardData {
  readonly since: string;
  readonly counts: Partial<Record<RunStatus, number>>;
  readonly failed: readonly { readonly run: RunRecord; readonly blocks: readonly { readonly block: string; readonly error: SerializedError | null }[] }[];
  readonly next: readonly (
    | { readonly pipeline: string; readonly kind: 'schedule'; readonly schedule: string; readonly timezone: string; readonly next: readonly string[] }
    | { readonly pipeline: string; readonly kind: 'file'; readonly path: string }
  )[];
  readonly broken: readonly { readonly pipeline: string; readonly error: SerializedError }[];
}

/** A run under way: the process holding its lease and when that process last said it is alive. */
export interface LiveRunRecord extends RunRecord {
  readonly leaseOwner?: string;
  readonly heartbeatAt?: string;
}

export interface RunningNowData {
  readonly running: readonly { readonly run: LiveRunRecord; readonly blocks: readonly BlockRunRecord[] }[];
  readonly queued: readonly RunRecord[];
  readonly now: string;
}

export interface PipelineChartData {
  readonly runs: readonly { readonly id: string; readonly status: RunStatus; readonly startedAt: string; readonly durationMs: number | null; readonly rows: Readonly<Record<string, number>> }[];
  readonly blocks: readonly string[];
}

export type CheckSeverity = 'warn' | 'error' | 'quarantine';

/** What one check of a block found in one run (GET /api/runs/:id/checks). */
export interface CheckResult {
  readonly runId: string;
  readonly pipeline: string;
  readonly block: string;
  readonly name: string;
  readonly kind: string;
  readonly severity: CheckSeverity;
  readonly status: 'passed' | 'failed';
  readonly failingRows?: number;
  readonly message: string;
  readonly sample?: readonly Record<string, unknown>[];
  readonly at: string;
}

export interface ColumnProfile {
  readonly name: string;
  readonly type: string;
  readonly nulls: number;
  readonly approxDistinct?: number;
  readonly min?: string | number;
  readonly max?: string | number;
  readonly mean?: number;
  readonly topValues?: readonly { readonly value: string; readonly count: number }[];
  readonly histogram?: readonly { readonly from: number; readonly to: number; readonly count: number }[];
}

/** The profile kept with a stored output (GET /api/runs/:id/blocks/:block/profile). */
export interface OutputProfile {
  readonly rows: number;
  readonly columns: readonly ColumnProfile[];
  readonly ms: number;
  /** Made on first look (a large output), not when the output was stored. */
  readonly deferred?: boolean;
}
