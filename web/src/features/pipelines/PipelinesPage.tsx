import { useState } from 'react';
import { endpoint, enc } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { formatRelative, formatSchedule } from '../../format.ts';
import { href } from '../../router.ts';
import { NewPipelineDialog } from './NewPipelineDialog.tsx';
import { RunDialog } from './RunDialog.tsx';
import { useCan } from '../users/session-context.ts';

export function PipelinesPage() {
  const { data, error, loading } = useApi(endpoint('GET /api/pipelines'), { pollMs: 5000 });
  const [running, setRunning] = useState<string>();
  const [creating, setCreating] = useState(false);
  const pipelines = data?.pipelines ?? [];
  const canEdit = useCan('editor');
  const canRun = useCan('operator');

  return (
    <div className="page" data-testid="pipelines-page">
      <PageHeader
        title="Pipelines"
        subtitle={data ? `${pipelines.length} pipeline${pipelines.length === 1 ? '' : 's'}` : undefined}
        actions={
          canEdit && (
            <button type="button" className="button primary" onClick={() => setCreating(true)} data-testid="new-pipeline">
              New pipeline
            </button>
          )
        }
      />
      <ErrorNote error={error} />
      <table className="table" data-testid="pipelines-table">
        <thead>
          <tr>
            <th>Pipeline</th>
            <th className="num">Blocks</th>
            <th>Schedule</th>
            <th>Last run</th>
            <th>Next run</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {pipelines.map((p) => (
            <tr key={p.name} data-testid={`pipeline-row-${p.name}`}>
              <td>
                <a href={href(`/pipelines/${enc(p.name)}`)} className="strong">{p.name}</a>
                {p.description && <div className="muted small">{p.description}</div>}
                {p.error && <div className="text-error small">{p.error.message}</div>}
              </td>
              <td className="num">{p.blocks ?? '—'}</td>
              <td><code>{formatSchedule(p.schedule)}</code></td>
              <td>
                {p.lastRun ? (
                  <a href={href(`/runs/${enc(p.lastRun.id)}`)} className="inline">
                    <StatusBadge status={p.lastRun.status} /> <span className="muted small">{formatRelative(p.lastRun.startedAt)}</span>
                  </a>
                ) : (
                  <StatusBadge status={null} />
                )}
              </td>
              <td className="muted">{formatRelative(p.nextRun)}</td>
              <td className="actions">
                {canRun && (
                  <button type="button" className="button small" disabled={Boolean(p.error)} onClick={() => setRunning(p.name)} title="Run now, with variables" data-testid={`run-${p.name}`}>
                    ▶ Run
                  </button>
                )}
              </td>
            </tr>
          ))}
          {!loading && pipelines.length === 0 && (
            <tr>
              <td colSpan={6} className="empty">No pipelines yet. Create one to start.</td>
            </tr>
          )}
        </tbody>
      </table>
      {running && <RunDialog pipeline={running} onClose={() => setRunning(undefined)} />}
      {creating && <NewPipelineDialog onClose={() => setCreating(false)} />}
    </div>
  );
}
