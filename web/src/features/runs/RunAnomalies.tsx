import { useState } from 'react';
import { api, enc } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import type { MetricPointView } from '@sluice/api';
import { useCan } from '../users/session-context.ts';

type RunAnomaly = MetricPointView & { readonly block: string; readonly metric: string };

/** The metric values a finished run flagged, each with why and a button that accepts it as the new level. */
export function RunAnomalies({ id, finished }: { id: string; finished: boolean }) {
  const { data, error, reload } = useApi<{ anomalies: RunAnomaly[] }>(finished ? `/api/runs/${enc(id)}/anomalies` : undefined);
  const [actionError, setActionError] = useState<Error>();
  const canMark = useCan('operator');
  if (!data?.anomalies.length && !error) return null;
  const accept = (a: RunAnomaly) =>
    api('POST', `/api/runs/${enc(id)}/blocks/${enc(a.block)}/metrics/${enc(a.metric)}/expected`, {}).then(reload, setActionError);
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
