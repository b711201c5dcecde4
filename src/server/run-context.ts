import { loadPipeline } from '../core/pipeline/load-pipeline.ts';
import type { Pipeline } from '../core/pipeline/pipeline.ts';
import type { BlockRunRecord, RunRecord } from '../core/run-store/run-store.ts';
import { intervalForDate } from '../core/run/logical-date.ts';

/** Where one exporter of a run sent its rows, in its connector's own words. */
export interface RunExport {
  readonly block: string;
  readonly status: string;
  readonly rows: number | null;
  /** `replaced public.daily with 1,204 rows`; null when the exporter did not say (a TypeScript one, or one that did not finish). */
  readonly landed: string | null;
}

/** What a run page shows beside the timeline: the run's inputs and effects, and whether the pipeline moved on since. */
export interface RunContext {
  readonly variables: Readonly<Record<string, unknown>>;
  readonly logical_date: string | null;
  readonly data_interval: { readonly start: string; readonly end: string } | null;
  readonly pipeline_version: string;
  /** null when the pipeline no longer loads (deleted or broken). */
  readonly current_version: string | null;
  readonly pipeline_changed: boolean | null;
  readonly exports: readonly RunExport[];
}

function currentPipeline(root: string, name: string): Pipeline | undefined {
  try {
    return loadPipeline(root, name);
  } catch {
    // A pipeline deleted or broken since the run: the run's own record still reads.
    return undefined;
  }
}

/**
 * The data interval is not stored with the run: it follows from the logical
 * date and the pipeline's schedule, the way the run's trigger worked it out.
 */
function intervalOf(pipeline: Pipeline | undefined, logicalDate: string | undefined): RunContext['data_interval'] {
  if (!pipeline || !logicalDate) return null;
  try {
    const { interval } = intervalForDate(pipeline, logicalDate);
    return { start: interval.start.toISOString(), end: interval.end.toISOString() };
  } catch {
    return null;
  }
}

export function describeRunContext(root: string, run: RunRecord, blocks: readonly BlockRunRecord[]): RunContext {
  const pipeline = currentPipeline(root, run.pipeline);
  const exporters = new Set(pipeline?.blocks.filter((b) => b.role === 'exporter').map((b) => b.name));
  return {
    variables: run.variables,
    logical_date: run.logicalDate ?? null,
    data_interval: intervalOf(pipeline, run.logicalDate),
    pipeline_version: run.pipelineVersion,
    current_version: pipeline?.version ?? null,
    pipeline_changed: pipeline ? pipeline.version !== run.pipelineVersion : null,
    exports: blocks
      .filter((b) => exporters.has(b.block))
      .map((b) => ({ block: b.block, status: b.status, rows: b.rowsIn ?? null, landed: b.status === 'succeeded' ? (b.summary ?? null) : null })),
  };
}
