import type { PipelineSummary } from '../../api/types.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { TriggerRow } from './TriggerRow.tsx';

export default function TriggersPage() {
  const { data, error } = useApi<{ pipelines: PipelineSummary[] }>('/api/pipelines');
  const pipelines = (data?.pipelines ?? []).filter((p) => !p.error);
  return (
    <div className="page" data-testid="triggers-page">
      <PageHeader title="Triggers" subtitle="Schedules and API triggers live in each pipeline's file" />
      <ErrorNote error={error} />
      <table className="table">
        <thead>
          <tr><th>Pipeline</th><th>Schedule</th><th>Enabled</th><th>Next run</th><th>API trigger</th><th>On file</th><th /></tr>
        </thead>
        <tbody>
          {pipelines.map((p) => <TriggerRow key={p.name} pipeline={p.name} nextRun={p.nextRun} />)}
          {data && pipelines.length === 0 && <tr><td colSpan={7} className="empty">No pipelines.</td></tr>}
        </tbody>
      </table>
    </div>
  );
}
