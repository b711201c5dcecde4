import { useState } from 'react';
import { call, endpoint } from '../../api/client.ts';
import type { ConnectionView } from '@sluice/api';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { formatDuration } from '../../format.ts';
import { BuiltinRow } from './BuiltinRow.tsx';
import { ConnectionForm, isSecretMarker } from './ConnectionForm.tsx';
import type { TestResult } from './DraftTest.tsx';
import { useCan } from '../users/session-context.ts';


export default function ConnectionsPage() {
  const canEdit = useCan('editor');
  const { data, error, reload } = useApi(endpoint('GET /api/connections'));
  const connectors = useApi(endpoint('GET /api/connectors')).data?.connectors ?? [];
  const [editing, setEditing] = useState<ConnectionView | 'new'>();
  const [results, setResults] = useState<Record<string, TestResult | 'testing'>>({});
  const [actionError, setActionError] = useState<Error>();
  const connections = data?.connections ?? [];

  const test = (name: string) => {
    setResults((r) => ({ ...r, [name]: 'testing' }));
    call('POST /api/connections/:name/test', { params: { name } }).then(
      (result) => setResults((r) => ({ ...r, [name]: result })),
      (failure: Error) => setResults((r) => ({ ...r, [name]: { ok: false, message: failure.message } })),
    );
  };
  const remove = (name: string) => {
    if (window.confirm(`Remove connection ${name}?`)) call('DELETE /api/connections/:name', { params: { name } }).then(reload, setActionError);
  };

  return (
    <div className="page" data-testid="connections-page">
      <PageHeader title="Connections" subtitle="connections.yaml; secret values stay on the server" actions={canEdit && <button type="button" className="button primary" onClick={() => setEditing('new')} data-testid="add-connection">Add connection</button>} />
      <ErrorNote error={error ?? actionError} />
      <table className="table" data-testid="connections-table">
        <thead><tr><th>Name</th><th>Connector</th><th>Settings</th><th>Test</th><th /></tr></thead>
        <tbody>
          {(data?.builtin ?? []).map((c) => <BuiltinRow key={c.name} connection={c} />)}
          {connections.map((c) => {
            const result = results[c.name];
            return (
              <tr key={c.name} data-testid={`connection-row-${c.name}`}>
                <td className="strong">{c.name}</td>
                <td><span className="kind">{c.connector}</span></td>
                <td>
                  <div className="settings-list">
                    {Object.entries(c.settings).map(([key, value]) => (
                      <span key={key} className="setting">
                        <span className="muted">{key}</span> {isSecretMarker(value) ? (value.secret.set ? <span className="masked" title="secret: write-only">••••••••{value.secret.from?.length ? <span className="muted small"> from {value.secret.from.join(', ')}</span> : null}</span> : <span className="text-error" title={`unset: ${(value.secret.variables ?? []).join(', ')}`}>not set</span>) : <code>{typeof value === 'string' ? value : JSON.stringify(value)}</code>}
                      </span>
                    ))}
                  </div>
                </td>
                <td data-testid={`connection-test-result-${c.name}`}>
                  {result === 'testing' ? <span className="muted">testing…</span> : result ? <span className={result.ok ? 'text-ok' : 'text-error'}>{result.ok ? '✓' : '✗'} {result.message}{result.duration_ms !== undefined ? ` (${formatDuration(result.duration_ms)})` : ''}</span> : null}
                </td>
                <td className="actions">
                  <button type="button" className="button small" onClick={() => test(c.name)} data-testid={`test-connection-${c.name}`}>Test</button>
                  <button type="button" className="button small" onClick={() => setEditing(c)}>Edit</button>
                  <button type="button" className="button small danger" onClick={() => remove(c.name)}>Remove</button>
                </td>
              </tr>
            );
          })}
          {data && connections.length === 0 && <tr><td colSpan={5} className="empty">No connections yet.</td></tr>}
        </tbody>
      </table>
      {editing && (
        <ConnectionForm
          connectors={connectors}
          existing={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onDone={() => {
            setEditing(undefined);
            reload();
          }}
        />
      )}
    </div>
  );
}
