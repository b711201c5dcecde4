import { useMemo, useState, type FormEvent } from 'react';
import { api, enc } from '../../api/client.ts';
import type { BlockRole, BlockSpec, BlockTemplate, ConnectionInfo, ConnectorInfo } from '../../api/types.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { Modal } from '../../components/Modal.tsx';
import { missingSettings, needsConnection } from '../../components/schema-form/missing-settings.ts';
import { SchemaForm } from '../../components/schema-form/SchemaForm.tsx';

const roles: BlockRole[] = ['loader', 'transformer', 'exporter', 'test', 'sensor'];

/** Template answers may be names or objects; both read as `{ name }`. */
function normaliseTemplates(answer: unknown): BlockTemplate[] {
  const list = Array.isArray(answer) ? answer : ((answer as { templates?: unknown[] } | undefined)?.templates ?? []);
  return list.map((t) => (typeof t === 'string' ? { name: t } : { ...(t as BlockTemplate), name: (t as { id?: string; name?: string }).id ?? (t as BlockTemplate).name }));
}

function roleOfTemplate(template: string): BlockRole | undefined {
  const match = /^ts-(loader|transformer|exporter|test)$/.exec(template);
  return match ? (match[1] as BlockRole) : undefined;
}

export function AddBlockDialog({ pipeline, blocks, defaultUpstream, onAdded, onClose }: { pipeline: string; blocks: readonly BlockSpec[]; defaultUpstream?: string | undefined; onAdded: (name: string) => void; onClose: () => void }) {
  const templates = normaliseTemplates(useApi<unknown>('/api/block-templates').data);
  const connectors = useApi<{ connectors: ConnectorInfo[] }>('/api/connectors').data?.connectors ?? [];
  const connections = useApi<{ connections: ConnectionInfo[] }>('/api/connections').data?.connections ?? [];
  const [name, setName] = useState('');
  const [template, setTemplate] = useState('sql');
  const [role, setRole] = useState<BlockRole>(defaultUpstream ? 'transformer' : 'loader');
  const [connector, setConnector] = useState('');
  const [connection, setConnection] = useState('');
  const [settings, setSettings] = useState<Record<string, unknown>>({});
  const [upstream, setUpstream] = useState<string[]>(defaultUpstream ? [defaultUpstream] : []);
  const [error, setError] = useState<Error>();

  const isConnector = template === 'connector';
  const effectiveRole = roleOfTemplate(template) ?? role;
  const connectorInfo = connectors.find((c) => c.kind === connector);
  const schema = effectiveRole === 'exporter' ? connectorInfo?.write : connectorInfo?.read;
  const usable = useMemo(() => connections.filter((c) => !connector || c.type === connector), [connections, connector]);
  const missing = [
    ...(isConnector && !connector ? ['a connector'] : []),
    ...(isConnector && connector && !connection && needsConnection(connectorInfo) ? ['a connection'] : []),
    ...(isConnector && connector ? missingSettings(schema, settings) : []),
    // An exporter or a test with nothing upstream has nothing to send or check.
    ...((effectiveRole === 'exporter' || effectiveRole === 'test') && !upstream.length ? ['an upstream block'] : []),
  ];
  // A connection implies its connector; a connector keeps the connection when it is of that kind.
  const pickConnection = (next: string) => {
    setConnection(next);
    const type = connections.find((c) => c.name === next)?.type;
    if (type && type !== connector) {
      setConnector(type);
      setSettings({});
    }
  };
  const pickConnector = (next: string) => {
    setConnector(next);
    if (connections.find((c) => c.name === connection)?.type !== next) setConnection('');
    setSettings({});
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body: Record<string, unknown> = { name: name.trim(), template, upstream };
    if (!roleOfTemplate(template)) body.role = role;
    if (isConnector) {
      // A connection implies its connector; naming both would say it twice.
      if (connection) body.connection = connection;
      else if (connector) body.connector = connector;
      body.settings = settings;
    }
    api('POST', `/api/pipelines/${enc(pipeline)}/blocks`, body).then(() => onAdded(name.trim()), setError);
  };

  return (
    <Modal title="Add a block" onClose={onClose} testId="add-block-dialog">
      <form onSubmit={submit} className="form">
        <div className="form-grid">
          <label className="field">
            <span>Name</span>
            <input value={name} onChange={(e) => setName(e.target.value)} placeholder="clean_orders" autoFocus spellCheck={false} data-testid="block-name" />
          </label>
          <label className="field">
            <span>Template</span>
            <select value={template} onChange={(e) => setTemplate(e.target.value)} data-testid="block-template">
              {(templates.length ? templates : [{ name: 'sql' }, { name: 'connector' }]).map((t) => (
                <option key={t.name} value={t.name} title={t.description}>{t.name}</option>
              ))}
            </select>
          </label>
          {!roleOfTemplate(template) && (
            <label className="field">
              <span>Role</span>
              <select value={role} onChange={(e) => setRole(e.target.value as BlockRole)} data-testid="block-role">
                {roles.map((r) => <option key={r} value={r}>{r}</option>)}
              </select>
            </label>
          )}
        </div>
        {isConnector && (
          <fieldset className="fieldset">
            <legend>No-code connector</legend>
            <div className="form-grid">
              <label className="field">
                <span>Connector</span>
                <select value={connector} onChange={(e) => pickConnector(e.target.value)} data-testid="block-connector">
                  <option value="">choose…</option>
                  {connectors.map((c) => <option key={c.kind} value={c.kind} title={c.description}>{c.kind}</option>)}
                </select>
              </label>
              <label className="field">
                <span>Connection</span>
                <select value={connection} onChange={(e) => pickConnection(e.target.value)} data-testid="block-connection">
                  <option value="">none</option>
                  {usable.map((c) => <option key={c.name} value={c.name}>{c.name} ({c.type})</option>)}
                </select>
              </label>
            </div>
            {connectorInfo?.description && <p className="muted small">{connectorInfo.description}</p>}
            {connector && <SchemaForm key={`${connector}-${effectiveRole}`} schema={schema} value={settings} onChange={setSettings} testIdPrefix="setting" />}
          </fieldset>
        )}
        {blocks.length > 0 && (
          <fieldset className="fieldset">
            <legend>Upstream blocks</legend>
            <div className="chips">
              {blocks.map((b) => (
                <label key={b.name} className="chip">
                  <input type="checkbox" checked={upstream.includes(b.name)} onChange={(e) => setUpstream(e.target.checked ? [...upstream, b.name] : upstream.filter((u) => u !== b.name))} data-testid={`upstream-${b.name}`} />
                  {b.name}
                </label>
              ))}
            </div>
          </fieldset>
        )}
        <ErrorNote error={error} />
        {name.trim() && missing.length > 0 && <p className="muted small" data-testid="add-block-missing">Still needed: {missing.join(', ')}.</p>}
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="button primary" disabled={!name.trim() || missing.length > 0} data-testid="add-block-submit">Add block</button>
        </div>
      </form>
    </Modal>
  );
}
