import type { StoredOutput } from '../data-plane/data-plane.ts';
import type { VariableValue } from '../pipeline/pipeline-schema.ts';
import type { DataInterval } from '../pipeline/schedule.ts';
import type { BlockRunRecord } from '../run-store/run-store.ts';

/**
 * Everything a process needs to run one block run, as plain data: its inputs
 * and its output are locations in the output store, never in-memory tables,
 * so the same job can run in this process or go through a queue to a worker
 * that loads the project itself (and checks it is the version the run planned).
 */
export interface BlockRunJob {
  readonly runId: string;
  readonly pipeline: string;
  /** Content hash of the pipeline file and its block files the run was planned with. */
  readonly pipelineVersion: string;
  readonly block: string;
  /** Upstream outputs by reference, each attached under its block's name. */
  readonly inputs: readonly { readonly name: string; readonly output: StoredOutput }[];
  /** Where the output goes in the output store. */
  readonly outputLocation: string;
  readonly variables: Readonly<Record<string, VariableValue>>;
  readonly logicalDate?: string | undefined;
  /** The run's data interval as ISO timestamps, [start, end). */
  readonly dataInterval?: { readonly start: string; readonly end: string } | undefined;
}

/** How a block run ended: its record as stored, and the output downstream blocks read. */
export interface BlockRunOutcome {
  readonly record: BlockRunRecord;
  readonly output?: StoredOutput | undefined;
}

export function intervalOfJob(job: BlockRunJob): DataInterval | undefined {
  return job.dataInterval ? { start: new Date(job.dataInterval.start), end: new Date(job.dataInterval.end) } : undefined;
}
