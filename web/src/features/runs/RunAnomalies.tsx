import { useState } from 'react';
import { call, endpoint, type Answer } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { useCan } from '../users/session-context.ts';

type RunAnomaly = Answer<'GET /api/runs/:id/anomalies'>['anomalies'][number];

/** The metric values a finished run flagged, each with why and a button that accepts it as the new level. */
export function RunAnomalies({ id, finished }: { id: string; finished: boolean }) {
  const { data, error, reload } = useApi(finished ? endpoint('GET /api/runs/:id/anomalies', { params: { id } }) : undefined);
  const [actionError, setActionError] = useState<Error>();
  const canMark = useCan('operator');
  if (!data?.anomalies.length && !error) return null;
  const accept = (a: RunAnomaly) =>
    call('POST /api/runs/:id/blocks/:block/metrics/:metric/expected', { params: { id, block: a.block, metric: a.metric }, body: {} }).then(reload, setActionError);
  return (
    <section data-testid="run-anomalies">
      <h3 className="section-title">Anomalies</h3>
      <ErrorNote error={error ?? actionError} />
      <ul className="mc-anomalies">
        {data?.anomalies.map((a) => (
          <li key={`${a.block} ${a.metric}`} data-testid="run-anomaly">
            <strong>{a.block}</strong> {a.metric}: {a.reason}{' '}
            {a.markedExpected ? (
              <span className="muted">(marked expected)</span>
            ) : (
              canMark && <button type="button" className="button small" onClick={() => void accept(a)} title="The value is right: learn it as the new level" data-testid="mark-expected">Mark expected</button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
