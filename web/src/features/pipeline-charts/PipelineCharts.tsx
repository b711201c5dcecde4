import { endpoint } from '../../api/client.ts';
import type { PipelineCharts } from '@sluice/api';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { DurationChart } from './DurationChart.tsx';
import { RowsChart } from './RowsChart.tsx';
import { BlockMetrics } from './BlockMetrics.tsx';
import { DriftEvents } from '../quality/DriftEvents.tsx';

/** A pipeline's last 30 runs: how long each took, and how many rows each block wrote. Drawn as inline SVG. */
export function PipelineCharts({ pipeline }: { pipeline: string }) {
  const { data, error } = useApi(endpoint('GET /api/pipelines/:name/charts', { params: { name: pipeline }, query: { runs: 30 } }), { pollMs: 10_000 });
  return (
    <section className="pc-charts" data-testid="pipeline-charts">
      <ErrorNote error={error} />
      {data && data.runs.length === 0 && <p className="muted small">Charts of run duration and rows per block appear after the first run.</p>}
      {data && data.runs.length > 0 && (
        <>
          <h2 className="section-title">Run duration, last {data.runs.length} runs</h2>
          <DurationChart runs={data.runs} />
          <h2 className="section-title">Rows per block, last {data.runs.length} runs</h2>
          {data.blocks.length ? <RowsChart runs={data.runs} blocks={data.blocks} /> : <p className="muted small">No block wrote rows yet.</p>}
          <BlockMetrics pipeline={pipeline} blocks={data.blocks} />
          <DriftEvents pipeline={pipeline} />
        </>
      )}
    </section>
  );
}
