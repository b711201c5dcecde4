import type { SerializedError } from '../errors.ts';
import type { Column } from '../data-plane/data-plane.ts';

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
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
}

export interface BlockRunRecord {
  readonly runId: string;
  readonly block: string;
  readonly status: BlockRunStatus;
  readonly startedAt?: string | undefined;
  readonly endedAt?: string | undefined;
  readonly rowsIn?: number | undefined;
  readonly rowsOut?: number | undefined;
  /** Where the block's output is stored, when it produced one. */
  readonly output?: string | undefined;
  readonly columns?: readonly Column[] | undefined;
  readonly error?: SerializedError | undefined;
  /** A short account of what the block did, e.g. "loaded 4,749,691 rows into public.sales". */
  readonly summary?: string | undefined;
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
  readonly limit?: number;
}

/**
 * Where run history lives. The embedded store is SQLite; a PostgreSQL store
 * serves many machines. Both pass the same contract tests.
 */
export interface RunStore {
  createRun(run: Omit<RunRecord, 'status' | 'endedAt' | 'error'> & { status?: RunStatus }): Promise<void>;
  finishRun(id: string, status: RunStatus, error?: SerializedError): Promise<void>;
  getRun(id: string): Promise<RunRecord | undefined>;
  /** Newest first. */
  listRuns(filter?: RunFilter): Promise<RunRecord[]>;
  upsertBlockRun(record: BlockRunRecord): Promise<void>;
  listBlockRuns(runId: string): Promise<BlockRunRecord[]>;
  /** The newest succeeded block run of `block` in `pipeline` that still has a stored output. */
  latestOutput(pipeline: string, block: string): Promise<BlockRunRecord | undefined>;
  appendLog(record: LogRecord): Promise<void>;
  listLogs(runId: string, options?: { block?: string }): Promise<LogRecord[]>;
  /** Run ids of a pipeline beyond the newest `keep`, oldest first. */
  runsBeyond(pipeline: string, keep: number): Promise<string[]>;
  close(): Promise<void>;
}
