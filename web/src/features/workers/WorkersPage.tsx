import { endpoint } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { NoQueue } from './NoQueue.tsx';
import { QueueSummary } from './QueueSummary.tsx';
import { WorkersTable } from './WorkersTable.tsx';

/** The workers taking queued block runs, what each runs, the queue's depth and wait, and a way to drain a worker. */
export default function WorkersPage() {
  const { data, error, reload } = useApi(endpoint('GET /api/workers'), { pollMs: 2000 });
  return (
    <div className="page" data-testid="workers-page">
      <PageHeader title="Workers" subtitle="The sluice worker processes taking block runs from the queue; updates every two seconds" />
      <ErrorNote error={error} />
      {data && !data.configured && <NoQueue />}
      {data?.configured && (
        <>
          <QueueSummary queue={data.queue} />
          <WorkersTable workers={data.workers} onDrained={reload} />
        </>
      )}
    </div>
  );
}
