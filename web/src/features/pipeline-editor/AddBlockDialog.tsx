import { useEffect, useRef, useState, type FormEvent } from 'react';
import { call, endpoint } from '../../api/client.ts';
import type { BlockRole, BlockSpec, ConnectorInfo } from '@sluice/api';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { Modal } from '../../components/Modal.tsx';
import { missingSettings, needsConnection } from '../../components/schema-form/missing-settings.ts';
import { SchemaForm } from '../../components/schema-form/SchemaForm.tsx';
import { blockHows, blockWhats, templateFor, type BlockHow } from './block-kinds.ts';
import { suggestBlockName } from './suggest-block-name.ts';

/** One pick names where a no-code block reads or writes: a connection (`connection:pg`) or a connector that needs none (`connector:file`). */
type Source = `connection:${string}` | `connector:${string}` | '';

/**
 * Adds a block in three steps on one form: what it does (load, transform,
 * export, test), how it is written (SQL, TypeScript, no-code connector), and
 * for a no-code block where it reads or writes, with that connector's settings.
 */
export function AddBlockDialog({ pipeline, blocks, defaultUpstream, onAdded, onClose }: { pipeline: string; blocks: readonly BlockSpec[]; defaultUpstream?: string | undefined; onAdded: (name: string) => void; onClose: () => void }) {
  const connectors = useApi(endpoint('GET /api/connectors')).data?.connectors ?? [];
  const connections = useApi(endpoint('GET /api/connections')).data?.connections ?? [];
  // Undefined until the user types one: until then the name follows what the block reads.
  const [typedName, setName] = useState<string>();
  const [role, setRole] = useState<BlockRole>(defaultUpstream ? 'transformer' : 'loader');
  const what = blockWhats.find((w) => w.role === role) ?? blockWhats[0]!;
  const [chosenHow, setHow] = useState<BlockHow>(what.hows[0]!);
  const how = what.hows.includes(chosenHow) ? chosenHow : what.hows[0]!;
  const [source, setSource] = useState<Source>('');
  const [settings, setSettings] = useState<Record<string, unknown>>({});
  // A test's output is the rows that broke its rule, which nothing builds on: a block added after one reads what it checks.
  const opened = blocks.find((b) => b.name === defaultUpstream);
  const [upstream, setUpstream] = useState<string[]>(opened?.role === 'test' ? [...opened.upstream] : defaultUpstream ? [defaultUpstream] : []);
  const [error, setError] = useState<Error>();

  const isConnector = how === 'connector';
  const writes = role === 'exporter';
  const fits = (c: ConnectorInfo | undefined) => Boolean(c && (writes ? c.write : c.read));
  const connectorOf = (kind: string | undefined) => connectors.find((c) => c.kind === kind);
  const [sourceKind, sourceName] = source.split(/:(.*)/s) as [string, string | undefined];
  const connection = sourceKind === 'connection' ? connections.find((c) => c.name === sourceName) : undefined;
  const connectorInfo = connectorOf(connection ? connection.connector : sourceKind === 'connector' ? sourceName : undefined);
  const schema = writes ? connectorInfo?.write : connectorInfo?.read;
  const usableConnections = connections.filter((c) => fits(connectorOf(c.connector)));
  const standalone = connectors.filter((c) => fits(c) && !needsConnection(c));
  // An exporter writes exactly one upstream block: its upstream is a single choice.
  const single = role === 'exporter';
  const name = (typedName ?? suggestBlockName({ role, upstream, settings, taken: blocks.map((b) => b.name) })).trim();
  const missing = [
    ...(isConnector && !connectorInfo ? [writes ? 'where to write' : 'where to read from'] : []),
    ...(isConnector && connectorInfo ? missingSettings(schema, settings) : []),
    // An exporter or a test with nothing upstream has nothing to send or check.
    ...((role === 'exporter' || role === 'test') && !upstream.length ? ['an upstream block'] : []),
    ...(name ? [] : ['a name']),
  ];
  const pickRole = (next: BlockRole) => {
    setRole(next);
    if (next === 'exporter') setUpstream((u) => u.slice(0, 1));
    // The way shown stays chosen when the new kind allows it, else that kind's usual way.
    const hows = blockWhats.find((w) => w.role === next)?.hows ?? [];
    setHow(hows.includes(how) ? how : (hows[0] ?? how));
    // A connector that reads may not write, and the other way round: choose again.
    setSource('');
    setSettings({});
  };
  // Once the source is picked, its first setting (a file's path, a table) is what to type next.
  const whereBox = useRef<HTMLFieldSetElement>(null);
  useEffect(() => {
    if (source) whereBox.current?.querySelector<HTMLElement>('.schema-form input, .schema-form select')?.focus();
  }, [source]);
  const pickSource = (next: Source) => {
    setSource(next);
    setSettings({});
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = { name, template: templateFor(role, how), upstream, role };
    // A connection implies its connector; naming both would say it twice.
    const where = !isConnector ? {} : connection ? { connection: connection.name, settings } : { connector: connectorInfo?.kind, settings };
    call('POST /api/pipelines/:name/blocks', { params: { name: pipeline }, body: { ...body, ...where } }).then(() => onAdded(name), setError);
  };

  return (
    <Modal title="Add a block" onClose={onClose} testId="add-block-dialog">
      <form onSubmit={submit} className="form">
        <fieldset className="fieldset">
          <legend>What does it do?</legend>
          <div className="choice-grid">
            {blockWhats.map((w) => (
              <label key={w.role} className={w.role === role ? 'choice selected' : 'choice'}>
                <input type="radio" name="block-what" checked={w.role === role} onChange={() => pickRole(w.role)} data-testid={`block-what-${w.role}`} />
                <b>{w.label}</b>
                <span className="muted small">{w.description}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <fieldset className="fieldset">
          <legend>How is it written?</legend>
          <div className="choice-grid">
            {what.hows.map((h) => (
              <label key={h} className={h === how ? 'choice selected' : 'choice'}>
                <input type="radio" name="block-how" checked={h === how} onChange={() => setHow(h)} data-testid={`block-how-${h}`} />
                <b>{blockHows[h].label}</b>
                <span className="muted small">{blockHows[h].description}</span>
              </label>
            ))}
          </div>
          {role === 'test' && (
            <p className="muted small" data-testid="test-explained">
              A test fails the run when its query returns rows (TypeScript: when it throws); the new test returns none until you write the check, and a failed test shows the rows it returned.
            </p>
          )}
        </fieldset>
        {/* Until the user types a name, it follows the choices: a loader's file below names it as it is typed. */}
        <label className="field">
          <span>Name</span>
          <input value={typedName ?? name} onChange={(e) => setName(e.target.value)} placeholder="clean_orders" spellCheck={false} autoFocus={!isConnector} data-testid="block-name" />
        </label>
        {isConnector && (
          <fieldset className="fieldset" ref={whereBox}>
            <legend>{writes ? 'Write to' : 'Read from'}</legend>
            <label className="field">
              <span>Connection or connector</span>
              <select value={source} onChange={(e) => pickSource(e.target.value as Source)} data-testid="block-source">
                <option value="">choose…</option>
                {usableConnections.length > 0 && (
                  <optgroup label="Your connections">
                    {usableConnections.map((c) => <option key={c.name} value={`connection:${c.name}`}>{c.name} ({c.connector})</option>)}
                  </optgroup>
                )}
                {standalone.length > 0 && (
                  <optgroup label="No connection needed">
                    {standalone.map((c) => <option key={c.kind} value={`connector:${c.kind}`} title={c.description}>{c.kind}</option>)}
                  </optgroup>
                )}
              </select>
            </label>
            {connectorInfo?.description && <p className="muted small">{connectorInfo.description}</p>}
            {connectorInfo && <SchemaForm key={`${source}-${role}`} schema={schema} value={settings} onChange={setSettings} testIdPrefix="setting" />}
            <p className="muted small">A database needs a connection first: add it on the <a href="#/connections">Connections</a> page.</p>
          </fieldset>
        )}
        {blocks.length > 0 && (
          <fieldset className="fieldset">
            <legend>{single ? 'Upstream block' : 'Upstream blocks'}</legend>
            <div className="chips">
              {blocks.map((b) => (
                <label key={b.name} className="chip">
                  <input type={single ? 'radio' : 'checkbox'} name="block-upstream" checked={upstream.includes(b.name)} onChange={(e) => setUpstream(single ? [b.name] : e.target.checked ? [...upstream, b.name] : upstream.filter((u) => u !== b.name))} data-testid={`upstream-${b.name}`} />
                  {b.name}
                </label>
              ))}
            </div>
          </fieldset>
        )}
        <ErrorNote error={error} />
        {missing.length > 0 && <p className="muted small" data-testid="add-block-missing">Still needed: {missing.join(', ')}.</p>}
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="button primary" disabled={missing.length > 0} data-testid="add-block-submit">Add block</button>
        </div>
      </form>
    </Modal>
  );
}
