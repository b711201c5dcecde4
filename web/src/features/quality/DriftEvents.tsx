import { endpoint, enc } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { formatTime } from '../../format.ts';
import { href } from '../../router.ts';
import type { DriftEventRecord } from '@sluice/api';
import { MaskedBadge } from '../../components/MaskedBadge.tsx';

/** What a drift event says, e.g. "format of order_date changed", with the column set apart. */
function headline(e: DriftEventRecord) {
  const column = <code>{e.column}</code>;
  switch (e.kind) {
    case 'format_changed':
      return <>format of {column} changed</>;
    case 'added_column':
      return <>new column {column}</>;
    case 'dropped_column':
      return <>column {column} dropped</>;
    case 'retyped':
      return <>column {column} changed type</>;
    case 'text_in_number':
      return <>text in number column {column}</>;
    case 'null_rate_jump':
      return <>null rate of {column} jumped</>;
    default:
      return <>{column} drifted</>;
  }
}

/**
 * The drift found in block outputs: of one run (`runId`) or of a pipeline's
 * recent runs (`pipeline`, each event linking to the run where it began).
 * Renders nothing when there is none.
 */
export function DriftEvents({ runId, pipeline, finished = true }: { runId?: string; pipeline?: string; finished?: boolean }) {
  const drift = runId !== undefined ? endpoint('GET /api/runs/:id/drift', { params: { id: runId } }) : endpoint('GET /api/pipelines/:name/drift', { params: { name: pipeline ?? '' }, query: { limit: 20 } });
  const { data, error } = useApi(drift, finished ? {} : { pollMs: 2000 });
  if (!data?.drift.length && !error) return null;
  return (
    <section data-testid="drift-events">
      <h3 className="section-title">Drift</h3>
      <ErrorNote error={error} />
      <ul className="drift-events">
        {data?.drift.map((e, i) => (
          <li key={`${e.runId} ${e.block} ${e.column} ${e.kind} ${i}`} data-testid="drift-event" data-action={e.action}>
            <span className={`drift-action drift-${e.action}`}>{e.action}</span> <strong>{e.block}</strong>: {headline(e)}
            {e.before !== undefined && e.after !== undefined && <span className="mono"> {e.before} → {e.after}</span>}
            {e.rows ? <span className="muted"> ({e.rows} row{e.rows === 1 ? '' : 's'})</span> : null}
            {runId === undefined && (
              <>
                {' '}in run <a href={href(`/runs/${enc(e.runId)}`)} className="mono">{e.runId}</a> <span className="muted small">{formatTime(e.at)}</span>
              </>
            )}
            {e.samples?.length ? <div className="muted small mono drift-sample" title="rows showing the drift">e.g. {e.samples.map((row) => JSON.stringify(row)).join(' ')}{e.masked?.map((column) => <MaskedBadge key={column} column={column} />)}</div> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
