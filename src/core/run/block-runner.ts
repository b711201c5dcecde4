import type { AnyConnector, ConnectorConnection, ConnectorContext, ConnectorRegistry } from '../connectors/connector.ts';
import type { DataPlaneSession, StoredOutput } from '../data-plane/data-plane.ts';
import type { Block, BlockLanguage, Pipeline } from '../pipeline/pipeline.ts';
import type { BlockRole, VariableValue } from '../pipeline/pipeline-schema.ts';
import type { DataInterval } from '../pipeline/schedule.ts';
import type { Project } from '../project/load-project.ts';
import type { RunHistory } from '../run-store/run-history.ts';
import type { SyncStateStore } from '../run-store/sync-state-store.ts';
import type { QualityStore } from '../run-store/quality-store.ts';
import type { StreamMetricsStore } from '../run-store/stream-metrics-store.ts';
import type { OutputStore } from '../output-store/output-store.ts';
import type { Logger } from './logger.ts';
import type { TouchedDataset } from '../lineage/touched-datasets.ts';

/** An upstream output as a block run sees it: attached in the session under `name`. */
export interface BlockInput {
  readonly name: string;
  readonly output: StoredOutput;
}

/** What one block run records: its own status and logs, its sync state, its checks, profile, metrics and drift. */
export type BlockRunStore = RunHistory & SyncStateStore & QualityStore & {
  /** Streaming pipelines' metrics, which a `stream_lag:` sensor reads; absent in stores that keep none. */
  readonly streamMetrics?: Pick<StreamMetricsStore, 'history'> | undefined;
};

/** Opens named connections once per run and closes them at the end. */
export interface ConnectionPool {
  get(name: string): Promise<{ connector: AnyConnector; connection: ConnectorConnection }>;
  closeAll(): Promise<void>;
}

export interface BlockRunContext {
  readonly project: Project;
  readonly pipeline: Pipeline;
  readonly runId: string;
  readonly logicalDate: string | undefined;
  readonly dataInterval: DataInterval | undefined;
  readonly variables: Readonly<Record<string, VariableValue>>;
  readonly session: DataPlaneSession;
  readonly connectors: ConnectorRegistry;
  readonly connections: ConnectionPool;
  readonly inputs: readonly BlockInput[];
  /** Where this block's output must be stored. */
  readonly outputLocation: string;
  /** Scratch space for this block run. */
  readonly tempDir: string;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** The run store, for runners that keep records beside the run's (integration state, schema events). */
  readonly store?: BlockRunStore | undefined;
  /** Where stored outputs are kept, for reading one outside the block's inputs (a check on another block's latest output). */
  readonly outputs?: OutputStore | undefined;
}

export interface BlockResult {
  /** What the block produced; absent for blocks with no table output. */
  readonly output?: StoredOutput | undefined;
  readonly rowsIn: number;
  /** Rows kept apart as rejects instead of loaded. */
  readonly rowsRejected?: number | undefined;
  readonly summary?: string | undefined;
  /** For a sensor that answers yes or no: whether its condition holds. */
  readonly ready?: boolean | undefined;
  /** The role the block's own code declares (e.g. `defineTest`); `decideRoleOutcome` judges by it. */
  readonly role?: BlockRole | undefined;
  /** Tables the block's own code read or wrote through its connections, for lineage. */
  readonly datasets?: readonly TouchedDataset[] | undefined;
  /**
   * Output columns that flag what the block could not decide (a clean block's
   * `<column>_flag` and `<column>_reason`). How many rows they flag follows the
   * data's quality, which the run summary counts: drift judges only whether
   * they are there and their type, never their values or null rate.
   */
  readonly flagColumns?: readonly string[] | undefined;
}

export type BlockRunner<B extends Block = Block> = (block: B, context: BlockRunContext) => Promise<BlockResult>;

export type BlockRunners = { readonly [L in BlockLanguage]: BlockRunner<Extract<Block, { language: L }>> };

export function rowsIn(inputs: readonly BlockInput[]): number {
  return inputs.reduce((sum, input) => sum + input.output.rows, 0);
}

/** What a connector sees of a block run. */
export function connectorContextFor(block: { readonly name: string }, context: BlockRunContext): ConnectorContext {
  return {
    projectRoot: context.project.root,
    tempDir: context.tempDir,
    session: context.session,
    logger: context.logger,
    signal: context.signal,
    block: block.name,
  };
}
