import type { ConnectorRegistry } from '../connectors/connector.ts';
import type { DataPlane } from '../data-plane/data-plane.ts';
import type { OutputStore } from '../output-store/output-store.ts';
import type { Block, Pipeline } from '../pipeline/pipeline.ts';
import type { Project } from '../project/load-project.ts';
import type { LogLevel } from '../run-store/run-history.ts';
import type { BlockRunners, BlockRunStore } from './block-runner.ts';
import type { BlockRunJob, BlockRunOutcome } from './block-run-job.ts';

/** What a process has loaded to run block runs itself: the project, the pipeline as planned, and its engine. */
export interface BlockRunScope {
  readonly project: Project;
  readonly pipeline: Pipeline;
  readonly store: BlockRunStore;
  readonly dataPlane: DataPlane;
  readonly connectors: ConnectorRegistry;
  readonly runners: BlockRunners;
  readonly outputs: OutputStore;
}

/** What the run loop hears of a block run while it goes. */
export interface BlockRunWatch {
  /** The block run took a slot and started (a block waiting for a slot has not). */
  started?(block: Block): void;
  log?(level: LogLevel, message: string): void;
}

export interface BlockRunRequest {
  /** The block run as plain data: all a worker elsewhere would be sent. */
  readonly job: BlockRunJob;
  /** The run's own loaded project and pipeline, for executors that run in this process. */
  readonly scope: BlockRunScope;
  readonly watch?: BlockRunWatch | undefined;
  /** The run's signal: a cancelled run stops its block runs, running or waiting. */
  readonly signal: AbortSignal;
}

/**
 * Where block runs execute. The run loop plans and hands each ready block run
 * to an executor, which runs it to its end (retries and timeout included),
 * records it in the run store, and says how it ended. It never throws for a
 * block's failure: that is an outcome.
 */
export interface Executor {
  execute(request: BlockRunRequest): Promise<BlockRunOutcome>;
}
