import type { AlertResult } from '../alerts/send-alerts.ts';
import { SluiceError, type ConfigWarning } from '../core/errors.ts';
import type { Pipeline } from '../core/pipeline/pipeline.ts';
import type { BlockRole } from '../core/pipeline/pipeline-schema.ts';
import type { BlockRunRecord, RunStatus } from '../core/run-store/run-store.ts';
import type { RunResult } from '../core/run/run-pipeline.ts';

export type { AlertResult };

/** What one block of a run did: its rows in, out and rejected, its output's columns, its summary. */
export interface BlockRunResult extends Pick<BlockRunRecord, 'block' | 'status' | 'rowsIn' | 'rowsOut' | 'rowsRejected' | 'columns' | 'summary'> {
  readonly role: BlockRole;
  readonly durationMs?: number | undefined;
  /** Why the block failed, with the file, line and column where known (`error.describe(root)` prints them). */
  readonly error?: SluiceError | undefined;
}

/**
 * What a run of a pipeline did, as `runPipeline` returns it. A run that ran
 * and failed is a result with `status: 'failed'` and its `error`; a run that
 * cannot start (no such pipeline, a broken pipeline file) throws a ConfigError.
 */
export interface PipelineRunResult {
  /** The run's id in the run history: `sluice logs RUN` shows its logs, the web UI its page. */
  readonly runId: string;
  readonly pipeline: string;
  readonly status: RunStatus;
  readonly logicalDate?: string | undefined;
  readonly durationMs: number;
  /** Rows rejected by all blocks together: a succeeded run with rejects did not load everything. */
  readonly rowsRejected: number;
  /** Every block the run took up, in run order. */
  readonly blocks: readonly BlockRunResult[];
  /** The first failure, naming its block, file and line where known. */
  readonly error?: SluiceError | undefined;
  /** The alerts the project's and pipeline's `alerts:` sent for this run, and whether each went out. */
  readonly alerts: readonly AlertResult[];
  /** Old spellings in the project's files, which still work but should change. */
  readonly warnings: readonly ConfigWarning[];
}

/** The library's view of a finished run: typed block results, errors as SluiceErrors. */
export function toPipelineRunResult(
  pipeline: Pipeline,
  run: RunResult,
  extra: { readonly logicalDate?: string | undefined; readonly alerts: readonly AlertResult[]; readonly warnings: readonly ConfigWarning[] },
): PipelineRunResult {
  const roles = new Map(pipeline.blocks.map((block) => [block.name, block.role]));
  const blocks = run.blocks.map((record) => toBlockRunResult(record, roles.get(record.block) ?? 'transformer'));
  return {
    runId: run.id,
    pipeline: pipeline.name,
    status: run.status,
    ...(extra.logicalDate !== undefined ? { logicalDate: extra.logicalDate } : {}),
    durationMs: run.durationMs,
    rowsRejected: blocks.reduce((sum, block) => sum + (block.rowsRejected ?? 0), 0),
    blocks,
    ...(run.error ? { error: run.error } : {}),
    alerts: extra.alerts,
    warnings: extra.warnings,
  };
}

function toBlockRunResult(record: BlockRunRecord, role: BlockRole): BlockRunResult {
  const durationMs = record.startedAt && record.endedAt ? Date.parse(record.endedAt) - Date.parse(record.startedAt) : undefined;
  return {
    block: record.block,
    role,
    status: record.status,
    ...(record.rowsIn !== undefined ? { rowsIn: record.rowsIn } : {}),
    ...(record.rowsOut !== undefined ? { rowsOut: record.rowsOut } : {}),
    ...(record.rowsRejected !== undefined ? { rowsRejected: record.rowsRejected } : {}),
    ...(record.columns ? { columns: record.columns } : {}),
    ...(record.summary !== undefined ? { summary: record.summary } : {}),
    ...(durationMs !== undefined ? { durationMs } : {}),
    ...(record.error ? { error: SluiceError.fromJSON(record.error) } : {}),
  };
}
