import { useState, type FormEvent } from 'react';
import { call } from '../../api/client.ts';
import type { ConnectionView, ConnectorInfo } from '@sluice/api';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { Modal } from '../../components/Modal.tsx';
import { SchemaForm } from '../../components/schema-form/SchemaForm.tsx';
import { DraftTest } from './DraftTest.tsx';

const secretLooking = /pass|secret|token|key|url|dsn/i;
/** Where and as whom to connect: always in view, never folded under "More settings". */
const connectionEssentials = /^(url|dsn|host|port|user|username|password|database|db|dbname|schema|path|account)$/i;

/** Adds or edits a connection; secret fields go to the server's secret file and never come back. */
export function ConnectionForm({ connectors, existing, onDone, onClose }: { connectors: readonly ConnectorInfo[]; existing?: ConnectionView | undefined; onDone: () => void; onClose: () => void }) {
  const withConnection = connectors.filter((c) => c.connection?.properties && Object.keys(c.connection.properties).length);
  const [name, setName] = useState(existing?.name ?? '');
  const [connector, setConnector] = useState(existing?.connector ?? withConnection[0]?.kind ?? '');
  const storedSecrets = new Set(Object.entries(existing?.settings ?? {}).filter(([, v]) => isSecretMarker(v)).map(([k]) => k));
  const secretHints = Object.fromEntries(Object.entries(existing?.settings ?? {}).flatMap(([k, v]) => (isSecretMarker(v) ? [[k, secretHint(v)]] : [])));
  const [values, setValues] = useState<Record<string, unknown>>(Object.fromEntries(Object.entries(existing?.settings ?? {}).filter(([, v]) => !isSecretMarker(v))));
  const [secrets, setSecrets] = useState<Set<string>>(() => new Set(storedSecrets));
  const [error, setError] = useState<Error>();
  const schema = connectors.find((c) => c.kind === connector)?.connection;

  /** The form as the API takes it: settings, and secret values apart. */
  const body = () => {
    const settings: Record<string, unknown> = {};
    const secretValues: Record<string, string> = {};
    for (const [key, value] of Object.entries(values)) {
      if (secrets.has(key)) secretValues[key] = String(value);
      else settings[key] = value;
    }
    return { name: name.trim(), connector, settings, secrets: secretValues };
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const request = existing ? call('PUT /api/connections/:name', { params: { name: existing.name }, body: body() }) : call('POST /api/connections', { body: body() });
    request.then(onDone, setError);
  };

  return (
    <Modal title={existing ? `Edit ${existing.name}` : 'Add a connection'} onClose={onClose} testId="connection-dialog">
      <form className="form" onSubmit={submit}>
        <div className="form-grid">
          <label className="field">
            <span>Name</span>
            <input value={name} disabled={Boolean(existing)} autoFocus={!existing} onChange={(e) => setName(e.target.value)} placeholder="reporting_db" spellCheck={false} data-testid="connection-name" />
          </label>
          <label className="field">
            <span>Connector</span>
            <select value={connector} disabled={Boolean(existing)} onChange={(e) => { setConnector(e.target.value); setValues({}); }} data-testid="connection-connector">
              {withConnection.map((c) => <option key={c.kind} value={c.kind}>{c.kind}</option>)}
            </select>
          </label>
        </div>
        <SchemaForm
          key={connector}
          schema={schema}
          value={values}
          onChange={(next) => {
            setValues(next);
            // A value that looks like a credential is secret unless the user says otherwise.
            for (const key of Object.keys(next)) if (!(key in values) && secretLooking.test(key) && !secrets.has(key)) setSecrets((s) => new Set(s).add(key));
          }}
          secrets={secrets}
          secretHints={secretHints}
          onToggleSecret={(field, on) => setSecrets((s) => { const copy = new Set(s); if (on) copy.add(field); else copy.delete(field); return copy; })}
          testIdPrefix="connection-field"
          primary={(key) => connectionEssentials.test(key)}
        />
        <p className="muted small">Secret values are written to <code>.sluice/secrets.env</code> (never to git); the API never returns them.</p>
        <ErrorNote error={error} />
        <div className="form-actions">
          <DraftTest body={body} disabled={!connector} />
          <button type="button" className="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="button primary" disabled={!name.trim() || !connector} data-testid="connection-save">{existing ? 'Save' : 'Add connection'}</button>
        </div>
      </form>
    </Modal>
  );
}

interface SecretMarker {
  /** `from`: the variables a set secret is read from; `variables`: those that are unset. */
  readonly secret: { readonly set: boolean; readonly variables?: readonly string[]; readonly from?: readonly string[] };
}

export function isSecretMarker(value: unknown): value is SecretMarker {
  return typeof value === 'object' && value !== null && 'secret' in value;
}

/** What an empty secret input says: kept as it is, or missing because its environment variable is unset. */
function secretHint(marker: SecretMarker): string {
  if (marker.secret.set) return `•••••••• (set${marker.secret.from?.length ? ` from ${marker.secret.from.join(', ')}` : ''}; leave empty to keep)`;
  const variables = marker.secret.variables ?? [];
  return variables.length ? `not set: ${variables.join(', ')} is unset in the server's environment; type a value or set it` : 'not set: type a value';
}
