import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { endpoint } from '../../api/client.ts';
import { AlertScopeCard } from './AlertScopeCard.tsx';

/** Alert channels of the whole project and of each pipeline, written to sluice.yaml and the pipeline files. */
export default function AlertsPage() {
  const { data, error, reload } = useApi(endpoint('GET /api/alerts'));
  return (
    <div className="page" data-testid="alerts-page">
      <PageHeader title="Alerts" subtitle="Who is told when a run fails, succeeds or misses its deadline; kept in sluice.yaml and the pipeline files" />
      <ErrorNote error={error} />
      {data && (
        <div className="alerts-list">
          <AlertScopeCard
            title="Every pipeline"
            file="sluice.yaml"
            testId="alerts-project"
            channels={data.project}
            onChange={reload}
            changeRole="admin"
          />
          {data.pipelines.map((p) => (
            <AlertScopeCard key={p.name} title={p.name} file={`pipelines/${p.name}.yaml`} pipeline={p.name} testId={`alerts-pipeline-${p.name}`} channels={p.channels} problem={p.error} onChange={reload} changeRole="editor" />
          ))}
        </div>
      )}
    </div>
  );
}
