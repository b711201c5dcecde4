import { endpoint } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { TriggerRow } from './TriggerRow.tsx';
import { ZoneList } from './ZoneList.tsx';

export default function TriggersPage() {
  const { data, error } = useApi(endpoint('GET /api/pipelines'));
  const pipelines = (data?.pipelines ?? []).filter((p) => !p.error);
  return (
    <div className="page" data-testid="triggers-page">
      <PageHeader title="Triggers" subtitle="Schedules, API and file triggers live in each pipeline's file" />
      <ErrorNote error={error} />
      <div className="sched-list">
        {pipelines.map((p) => <TriggerRow key={p.name} pipeline={p.name} nextRun={p.nextRun} />)}
        {data && pipelines.length === 0 && <p className="empty">No pipelines.</p>}
      </div>
      <ZoneList />
    </div>
  );
}
