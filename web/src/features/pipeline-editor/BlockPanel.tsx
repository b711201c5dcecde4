import { useEffect, useState } from 'react';
import { call } from '../../api/client.ts';
import type { BlockRunDetail, BlockSpec, ConnectionView, ConnectorInfo, LogRecord } from '@sluice/api';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { missingSettings, needsConnection } from '../../components/schema-form/missing-settings.ts';
import { SchemaForm } from '../../components/schema-form/SchemaForm.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { durationBetween, formatCount, formatDuration, modKey } from '../../format.ts';
import { LogView } from '../runs/LogView.tsx';
import { hasOutput, OutputTable } from '../runs/OutputTable.tsx';
import type { BlockFile } from './use-block-file.ts';
import { CleanBlockForm } from './CleanBlockForm.tsx';
import { editedInFile } from './block-kinds.ts';
import { NoCodeSettingsForm } from './NoCodeSettingsForm.tsx';
import { ReviewPairs } from './ReviewPairs.tsx';
import { templateSelection } from './template-selection.ts';
import { loadable } from '../../loadable.tsx';
import { useCan } from '../users/session-context.ts';

export const CodeEditor = loadable(() => import('./CodeEditor.tsx').then((m) => m.default), <div className="loading">Loading editor…</div>);

export type BlockTab = 'output' | 'logs';

export interface BlockPanelProps {
  readonly pipeline: string;
  readonly block: BlockSpec;
  readonly file: BlockFile;
  readonly connectors: readonly ConnectorInfo[];
  readonly connections: readonly ConnectionView[];
  readonly runId: string | undefined;
  readonly blockRun: BlockRunDetail | undefined;
  readonly logs: readonly LogRecord[];
  readonly onRun: (withUpstream: boolean) => void;
  readonly tab: BlockTab;
  /** A line to mark and scroll to: where the block's last error happened. */
  readonly markLine?: number | undefined;
  /** Just added: its code opens focused, with the template's part to rewrite selected. */
  readonly fresh?: boolean | undefined;
  readonly onTab: (tab: BlockTab) => void;
  readonly onChanged: (selectName?: string) => void;
}

/** The selected block: its code or settings, its last run's output, logs and error. */
export function BlockPanel({ pipeline, block, file, connectors, connections, runId, blockRun, logs, onRun, tab, markLine, fresh, onTab: setTab, onChanged }: BlockPanelProps) {
  const canEdit = useCan('editor');
  const canRun = useCan('operator');
  const [renaming, setRenaming] = useState<string>();
  const [settings, setSettings] = useState<Record<string, unknown>>({ ...block.settings });
  const [connection, setConnection] = useState(block.connection ?? '');
  const [error, setError] = useState<Error>();
  useEffect(() => {
    setSettings({ ...block.settings });
    setConnection(block.connection ?? '');
  }, [block]);
  const params = { name: pipeline, block: block.name };
  const kind = block.connector ?? connections.find((c) => c.name === block.connection)?.connector;
  const connectorInfo = connectors.find((c) => c.kind === kind);
  const settingsSchema = block.role === 'exporter' ? connectorInfo?.write : connectorInfo?.read;
  const settingsDirty = JSON.stringify(settings) !== JSON.stringify(block.settings) || connection !== (block.connection ?? '');
  const missing = [...(!connection && needsConnection(connectorInfo) ? ['a connection'] : []), ...missingSettings(settingsSchema, settings)];

  const rename = () => {
    const name = renaming?.trim();
    setRenaming(undefined);
    if (name && name !== block.name) call('PATCH /api/pipelines/:name/blocks/:block', { params, body: { name } }).then(() => onChanged(name), setError);
  };
  const remove = () => {
    if (window.confirm(`Delete block ${block.name}, its file and the references to it?`)) call('DELETE /api/pipelines/:name/blocks/:block', { params }).then(() => onChanged(''), setError);
  };
  const saveSettings = () => call('PATCH /api/pipelines/:name/blocks/:block', { params, body: { settings, connection: connection || null } }).then(() => onChanged(block.name), setError);

  const meta = `${block.role ?? ''} · ${block.language === 'connector' ? `${kind ?? ''}${block.connection ? ` → ${block.connection}` : ''}` : block.file ?? block.language}`;

  return (
    <section className="block-panel" data-testid="block-panel">
      <header className="block-head">
        {renaming === undefined ? (
          <h2 title="Double-click to rename" onDoubleClick={() => setRenaming(block.name)} data-testid="block-title">{block.name}</h2>
        ) : (
          <input className="rename" value={renaming} autoFocus onChange={(e) => setRenaming(e.target.value)} onBlur={rename} onKeyDown={(e) => { if (e.key === 'Enter') rename(); if (e.key === 'Escape') setRenaming(undefined); }} data-testid="rename-input" />
        )}
        <span className="muted small block-meta" title={meta}>{meta}</span>
        <span className="spacer" />
        {canEdit && block.file !== undefined && (
          <button type="button" className="button small" disabled={!file.dirty || file.saving} onClick={() => void file.save().catch(() => undefined)} title={`Save (${modKey}+S)`} data-testid="save-block">
            {file.dirty ? 'Save' : 'Saved'}
          </button>
        )}
        {canRun && <button type="button" className="button small primary" onClick={() => onRun(false)} title={`Run this block on the latest upstream outputs (${modKey}+Enter)`} data-testid="run-block">▶ Run block</button>}
        {canRun && <button type="button" className="button small" onClick={() => onRun(true)} title={`Run with its upstream blocks (Shift+${modKey}+Enter)`} data-testid="run-with-upstream">▶▶ With upstream</button>}
        {canEdit && <button type="button" className="button small" onClick={() => setRenaming(block.name)} title="Rename the block and its file" aria-label="Rename" data-testid="rename-block">✎</button>}
        {canEdit && <button type="button" className="button small danger" onClick={remove} title="Delete the block" data-testid="delete-block">Delete</button>}
      </header>
      <ErrorNote error={error ?? file.error} />
      <div className="block-body">
        {block.language === 'connector' ? (
          <div className="block-settings">
            {/* A connector that takes no connection (a file) has nothing to pick here. */}
            {(connection || Object.keys(connectorInfo?.connection?.properties ?? {}).length > 0) && (
            <label className="field">
              <span className="field-label">Connection{needsConnection(connectorInfo) && <span className="required" title="required">*</span>}</span>
              <select value={connection} onChange={(e) => setConnection(e.target.value)} data-testid="block-connection-select">
                <option value="">none</option>
                {connections.filter((c) => !kind || c.connector === kind).map((c) => <option key={c.name} value={c.name}>{c.name} ({c.connector})</option>)}
              </select>
            </label>
            )}
            <SchemaForm key={block.name} schema={settingsSchema} value={settings} onChange={setSettings} testIdPrefix="block-setting" />
            {missing.length > 0 && <p className="muted small" data-testid="block-settings-missing">Still needed: {missing.join(', ')}.</p>}
            <div className="form-actions">
              <button type="button" className="button small primary" disabled={!settingsDirty || missing.length > 0} onClick={saveSettings} data-testid="save-settings">Save settings</button>
            </div>
          </div>
        ) : block.language === 'clean' && block.part === 'review' ? (
          // Made by the loader from its clean block's columns: edited there, decided under Dictionaries.
          <div className="block-settings" data-testid="clean-review-note">
            <p className="muted small">
              The values {block.declaredName ?? block.name} left undecided against its dictionaries, one row per column and value, for other blocks to read.
              Its settings are those of {block.declaredName ?? block.name}; decide the values under <a href="#/dictionaries">Dictionaries</a>.
            </p>
          </div>
        ) : block.language === 'clean' ? (
          <CleanBlockForm key={JSON.stringify(block.settings)} pipeline={pipeline} block={block.name} columns={block.settings} knownColumns={blockRun?.columns} onSaved={() => onChanged(block.name)} onError={setError} />
        ) : block.language === 'prepare' || block.language === 'dedupe' || block.language === 'examples' ? (
          <NoCodeSettingsForm
            key={JSON.stringify(block.settings)}
            pipeline={pipeline}
            kind={block.language}
            declaredName={block.declaredName ?? block.name}
            note={partNote(block)}
            settings={block.settings}
            onSaved={() => onChanged(block.name)}
            onError={setError}
          />
        ) : block.language !== 'ts' && block.language !== 'sql' ? (
          // No file and, for now, no form: the settings are shown here and edited in the pipeline file.
          <div className="block-settings" data-testid={`${block.language}-settings`}>
            <pre className="small">{JSON.stringify(block.settings, null, 2)}</pre>
            <p className="muted small">{editedInFile[block.language].what} Edit it under <code>{editedInFile[block.language].key}</code> in the pipeline file.</p>
          </div>
        ) : file.content === undefined ? (
          <div className="loading">Loading {block.file}…</div>
        ) : (
          <CodeEditor key={block.file} value={file.content} language={file.language} onChange={file.setContent} markLine={markLine} selectOnOpen={fresh ? templateSelection : undefined} onSave={() => void file.save().catch(() => undefined)} onRun={onRun} />
        )}
      </div>
      <div className="block-result">
        <div className="tabs">
          <button type="button" className={tab === 'output' ? 'tab active' : 'tab'} onClick={() => setTab('output')} data-testid="tab-output">Output</button>
          <button type="button" className={tab === 'logs' ? 'tab active' : 'tab'} onClick={() => setTab('logs')} data-testid="tab-logs">Logs</button>
          <span className="spacer" />
          {blockRun && (
            <span className="tab-meta">
              <StatusBadge status={blockRun.status} rejected={blockRun.rowsRejected} /> {formatCount(blockRun.rowsOut)} rows · {formatDuration(durationBetween(blockRun.startedAt, blockRun.endedAt))}
            </span>
          )}
        </div>
        <div className="tab-body">
          {tab === 'logs' ? (
            <LogView logs={logs} block={block.name} runId={runId} testId="block-logs" />
          ) : blockRun?.error ? (
            <>
              <ErrorNote error={{ ...blockRun.error, location: { block: block.name, ...blockRun.error.location } }} testId="block-error" />
              {runId && hasOutput(blockRun) && <OutputTable runId={runId} block={block.name} />}
            </>
          ) : runId && hasOutput(blockRun) && block.language === 'dedupe' && block.part === 'review' ? (
            <ReviewPairs pipeline={pipeline} runId={runId} block={block.name} declaredName={block.declaredName ?? block.name} columns={Object.keys((block.settings.columns as object | undefined) ?? {})} />
          ) : runId && hasOutput(blockRun) ? (
            <OutputTable runId={runId} block={block.name} mapSource={`${pipeline}.${block.name}`} />
          ) : (
            <div className="muted small empty-output">
              {blockRun ? `The block is ${blockRun.status}…` : `Run the block (${modKey}+Enter) to see its output.`}
            </div>
          )}
        </div>
      </div>
    </section>
  );
}

/** What a block the loader added beside a dedupe or prepare block holds, and whose settings its form edits. */
function partNote(block: BlockSpec): string | undefined {
  const from = block.declaredName ?? block.name;
  switch (block.part) {
    case 'review':
      return `The pairs of ${from} scoring between its review and match thresholds; these are the settings of ${from}.`;
    case 'train':
    case 'test':
    case 'validation':
      return `The ${block.part} rows of ${from}; these are the settings of ${from}.`;
    default:
      return undefined;
  }
}
