import { useEffect, useState } from 'react';
import { endpoint } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { QueuedRuns, RunningRuns } from './RunningTables.tsx';

/** A clock that ticks every second, so elapsed times count up between polls. */
function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** Every run and block run under way across pipelines: which process runs it, since when, and a way to cancel it. */
export default function RunningNowPage() {
  const { data, error, reload } = useApi(endpoint('GET /api/running-now'), { pollMs: 1000 });
  const now = useNow();
  return (
    <div className="page" data-testid="running-now-page">
      <PageHeader title="Running now" subtitle="Runs under way in every process that shares this project's run store; updates every second" />
      <ErrorNote error={error} />
      {data && (
        <>
          <RunningRuns running={data.running} now={now} onCancelled={reload} />
          {data.queued.length > 0 && (
            <>
              <h2 className="section-title">Waiting in the queue</h2>
              <QueuedRuns queued={data.queued} now={now} onCancelled={reload} />
            </>
          )}
        </>
      )}
    </div>
  );
}
