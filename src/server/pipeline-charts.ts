import type { RunStatus, RunHistory } from '../core/run-store/run-store.ts';

export interface ChartRun {
  readonly id: string;
  readonly status: RunStatus;
  readonly startedAt: string;
  /** Null while the run has not ended. */
  readonly durationMs: number | null;
  /** Rows each block wrote in this run (blocks that wrote none are left out). */
  readonly rows: Readonly<Record<string, number>>;
}

/** `GET /api/pipelines/:name/charts`: the runs, oldest first, and every block that wrote rows in any of them. */
export interface PipelineCharts {
  readonly runs: readonly ChartRun[];
  readonly blocks: readonly string[];
}

const between = (start?: string, end?: string): number | null => (start && end ? Date.parse(end) - Date.parse(start) : null);

/** A pipeline's last `count` runs, oldest first, with their durations and the rows each block wrote. */
export async function pipelineCharts(store: RunHistory, pipeline: string, count: number): Promise<PipelineCharts> {
  const runs = (await store.listRuns({ pipeline, limit: count })).reverse();
  const blocks = new Set<string>();
  const charted = await Promise.all(runs.map(async (run): Promise<ChartRun> => {
    const rows: Record<string, number> = {};
    for (const b of await store.listBlockRuns(run.id)) {
      if (b.rowsOut === undefined) continue;
      rows[b.block] = b.rowsOut;
      blocks.add(b.block);
    }
    return { id: run.id, status: run.status, startedAt: run.startedAt, durationMs: between(run.startedAt, run.endedAt), rows };
  }));
  return { runs: charted, blocks: [...blocks].sort() };
}
