import { useEffect, useRef } from 'react';
import { endpoint, enc } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { formatCount, formatTime } from '../../format.ts';
import { href } from '../../router.ts';

/** Intervals read as the scheduler computes them, in UTC; the viewer's own time is on hover. */
const utc = (iso: string) => iso.replace('T', ' ').replace(/:00\.000Z$|\.\d+Z$/, '').replace(/Z$/, '') + ' UTC';

/** What a run used and what it did: variables, dates, where its exporters landed rows, and whether the pipeline changed since. */
export function RunFacts({ id, pipeline, finished }: { id: string; pipeline: string | undefined; finished: boolean }) {
  const { data, error, reload } = useApi(endpoint('GET /api/runs/:id/context', { params: { id } }));
  // Read again once the run finishes: the exporters' results come last.
  const wasFinished = useRef(finished);
  useEffect(() => {
    if (finished && !wasFinished.current) reload();
    wasFinished.current = finished;
  }, [finished, reload]);
  if (error) return <ErrorNote error={error} />;
  if (!data) return null;
  const variables = Object.entries(data.variables);
  return (
    <dl className="run-facts" data-testid="run-facts">
      <dt>Variables</dt>
      <dd data-testid="run-variables">
        {variables.length ? variables.map(([name, value]) => <code key={name} className="fact-chip">{name} = {JSON.stringify(value)}</code>) : <span className="muted">none</span>}
      </dd>
      <dt>Logical date</dt>
      <dd data-testid="run-logical-date">
        {data.logical_date ? <code>{data.logical_date}</code> : <span className="muted">none (not a scheduled or dated run)</span>}
        {data.data_interval && <span> · data interval <code title={formatTime(data.data_interval.start)}>{utc(data.data_interval.start)}</code> to <code title={formatTime(data.data_interval.end)}>{utc(data.data_interval.end)}</code></span>}
      </dd>
      <dt>Exports</dt>
      <dd data-testid="run-exports">
        {data.exports.length === 0 && <span className="muted">this pipeline has no exporter</span>}
        {data.exports.map((e) => (
          <div key={e.block} data-testid={`run-export-${e.block}`}>
            <b className="mono">{e.block}</b>: {e.landed ?? (e.status === 'succeeded' ? `${formatCount(e.rows)} rows sent (the exporter did not say where; see its logs)` : `nothing landed (${e.status})`)}
          </div>
        ))}
      </dd>
      <dt>Pipeline</dt>
      <dd data-testid="run-pipeline-changed">
        {data.pipeline_changed === null
          ? <span className="muted">no longer loads</span>
          : data.pipeline_changed
            ? <span className="warn-text">changed since this run: its YAML or block files differ now{pipeline && <> (<a href={href(`/pipelines/${enc(pipeline)}`)}>open it</a>)</>}</span>
            : <span>unchanged since this run</span>}
      </dd>
    </dl>
  );
}
