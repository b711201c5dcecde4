import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { call, endpoint, enc } from '../../api/client.ts';
import type { BlockRunStatus } from '@sluice/api';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { href, match, navigate, routeQuery, withQuery } from '../../router.ts';
import { RunDialog } from '../pipelines/RunDialog.tsx';
import { useRunWatch } from '../runs/use-run-watch.ts';
import { AddBlockDialog } from './AddBlockDialog.tsx';
import { BlockPanel, type BlockTab } from './BlockPanel.tsx';
import { ResizableSplit } from './ResizableSplit.tsx';
import { useBlockFile } from './use-block-file.ts';
import { CodeEditor } from './BlockPanel.tsx';
import { loadable } from '../../loadable.tsx';
import { useLeaveGuard } from '../../use-leave-guard.ts';
import { PipelineCharts } from '../pipeline-charts/PipelineCharts.tsx';
import { pressed, shortcuts } from '../shortcuts/shortcut-registry.ts';
import { ShortcutKeys } from '../shortcuts/ShortcutKeys.tsx';
import { useCan } from '../users/session-context.ts';

const PipelineCanvas = loadable(() => import('./PipelineCanvas.tsx').then((m) => m.PipelineCanvas), <div className="loading">Drawing the pipeline…</div>);
// Both heavy parts start loading with this page, side by side with its data, instead of one after the other.
void PipelineCanvas.preload();
void CodeEditor.preload();

/**
 * The pipeline editor: the DAG on the left, the selected block on the right.
 * The selected block and tab live in the address (`?block=orders&tab=logs`),
 * so a reload, Back or a shared link opens the same view.
 */
export default function PipelineEditorPage({ name, location }: { name: string; location: string }) {
  const canEdit = useCan('editor');
  const canRun = useCan('operator');
  const { data, error, reload } = useApi(endpoint('GET /api/pipelines/:name', { params: { name } }));
  const connectors = useApi(endpoint('GET /api/connectors')).data?.connectors ?? [];
  const connections = useApi(endpoint('GET /api/connections')).data?.connections ?? [];
  const pipeline = data?.pipeline;
  const query = routeQuery(location);
  const selected = query.get('block') ?? undefined;
  const tab: BlockTab = query.get('tab') === 'logs' ? 'logs' : 'output';
  // An error's link opens the block with the failing line marked.
  const markLine = Number(query.get('line')) || undefined;
  const [adding, setAdding] = useState(false);
  // The block just added: its editor opens ready to type, until another block is opened.
  const [fresh, setFresh] = useState<string>();
  const [runningAll, setRunningAll] = useState(false);
  const [runId, setRunId] = useState<string>();
  const [actionError, setActionError] = useState<Error>();
  const watch = useRunWatch(runId);

  // Show the newest run's results until this session starts one.
  useEffect(() => {
    call('GET /api/runs', { query: { pipeline: name, limit: 1 } }).then(
      ({ runs }) => setRunId((current) => current ?? runs[0]?.id),
      () => undefined,
    );
  }, [name]);

  const blocks = useMemo(() => pipeline?.blocks ?? [], [pipeline]);
  // A pipeline opened empty (just created) has one next step: adding its first block.
  const askedFirst = useRef(false);
  useEffect(() => {
    if (!pipeline || askedFirst.current) return;
    askedFirst.current = true;
    if (!pipeline.blocks.length) setAdding(true);
  }, [pipeline]);
  const block = blocks.find((b) => b.name === selected);
  const file = useBlockFile(block?.language !== 'connector' ? block?.file : undefined);
  const statuses = useMemo(() => new Map<string, BlockRunStatus>(watch.blocks.map((b) => [b.block, b.status])), [watch.blocks]);
  const unsavedQuestion = `${block?.file ?? 'The block file'} has unsaved changes. Leave and lose them?`;
  // Another block or page drops the unsaved file; another tab of the same block keeps it.
  const keepsBlock = useCallback((next: string) => match('/pipelines/:name', next)?.name === name && routeQuery(next).get('block') === (selected ?? null), [name, selected]);
  useLeaveGuard(file.dirty, unsavedQuestion, keepsBlock);
  // Each block opened is a step Back returns to; the router asks first when the file is unsaved.
  const select = useCallback((next: string | undefined) => {
    if (next === selected) return;
    setFresh((current) => (current === next ? current : undefined));
    navigate(withQuery(location, { block: next, line: undefined }));
  }, [selected, location]);
  const setTab = useCallback((next: BlockTab) => navigate(withQuery(location, { tab: next === 'output' ? undefined : next }), { replace: true }), [location]);

  const patchBlock = useCallback((target: string, upstream: readonly string[]) => {
    call('PATCH /api/pipelines/:name/blocks/:block', { params: { name, block: target }, body: { upstream } }).then(reload, setActionError);
  }, [name, reload]);
  const connect = useCallback((from: string, to: string) => {
    const target = blocks.find((b) => b.name === to);
    if (target && !target.upstream.includes(from)) patchBlock(to, [...target.upstream, from]);
  }, [blocks, patchBlock]);
  const disconnect = useCallback((from: string, to: string) => {
    const target = blocks.find((b) => b.name === to);
    if (target) patchBlock(to, target.upstream.filter((u) => u !== from));
  }, [blocks, patchBlock]);

  const runBlock = useCallback(async (withUpstream: boolean) => {
    if (!block) return;
    try {
      await file.save();
      const { run_id } = await call('POST /api/pipelines/:name/runs', { params: { name }, body: { blocks: [block.name], upstream: withUpstream } });
      setRunId(run_id);
      setActionError(undefined);
    } catch (failure) {
      setActionError(failure as Error);
    }
  }, [block, file, name]);

  // The shortcuts work anywhere on the page, not only inside the code editor.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented) return;
      const withUpstream = pressed(event, 'runWithUpstream');
      if (!withUpstream && !pressed(event, 'runBlock')) return;
      event.preventDefault();
      void runBlock(withUpstream);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [runBlock]);

  const deletePipeline = () => {
    if (window.confirm(`Delete the pipeline file of ${name}? Block files stay.`)) call('DELETE /api/pipelines/:name', { params: { name } }).then(() => navigate('/pipelines'), setActionError);
  };

  const blockRun = watch.blocks.find((b) => b.block === selected);

  return (
    <div className="editor-page" data-testid="pipeline-editor">
      <header className="editor-bar">
        <a href={href('/pipelines')} className="muted">Pipelines</a>
        <span className="muted">/</span>
        <h1>{name}</h1>
        {pipeline?.file && <code className="muted small">{pipeline.file}</code>}
        <span className="spacer" />
        {watch.run && (
          <a href={href(`/runs/${enc(watch.run.id)}`)} className="inline small" data-testid="editor-run-status">
            last run <StatusBadge status={watch.run.status} />
          </a>
        )}
        {canEdit && <button type="button" className="button small" onClick={() => setAdding(true)} title="Add a block from a template" data-testid="add-block">+ Block</button>}
        {canRun && <button type="button" className="button small primary" disabled={!blocks.length} onClick={() => setRunningAll(true)} title="Run the whole pipeline" data-testid="run-pipeline">▶ Run pipeline</button>}
        {canEdit && <button type="button" className="button small danger" onClick={deletePipeline} data-testid="delete-pipeline">Delete</button>}
      </header>
      <ErrorNote error={error ?? actionError} />
      <ResizableSplit
        left={
          <div className="editor-dag">
            {pipeline && blocks.length === 0 ? (
              <div className="empty-dag">
                <p>This pipeline has no blocks yet.</p>
                <button type="button" className="button primary" onClick={() => setAdding(true)}>Add the first block</button>
              </div>
            ) : (
              <PipelineCanvas blocks={blocks} selected={selected} statuses={statuses} onSelect={select} onConnect={connect} onDisconnect={disconnect} />
            )}
          </div>
        }
        right={
          <div className="editor-side">
            {block ? (
              <BlockPanel
                key={block.name}
                pipeline={name}
                block={block}
                file={file}
                connectors={connectors}
                connections={connections}
                runId={runId}
                blockRun={blockRun}
                logs={watch.logs}
                onRun={(up) => void runBlock(up)}
                tab={tab}
                markLine={markLine}
                fresh={fresh === block.name}
                onTab={setTab}
                onChanged={(next) => {
                  reload();
                  // A renamed or deleted block replaces its own entry: Back must not lead to a block that is gone.
                  if (next !== undefined && next !== block.name) navigate(withQuery(location, { block: next || undefined }), { replace: true });
                }}
              />
            ) : (
              <div className="side-hint">
                <h2>Select a block</h2>
                <p className="muted">Click a block to edit its code or settings and see its output.</p>
                <ul className="shortcuts">
                  {(['runBlock', 'runWithUpstream', 'save'] as const).map((id) => (
                    <li key={id}><ShortcutKeys keys={shortcuts[id].keys[0]} /> {shortcuts[id].does.toLowerCase()}</li>
                  ))}
                  <li>Drag from a block's right edge to another to connect; click an edge, then <kbd>Delete</kbd>, to disconnect</li>
                </ul>
                <PipelineCharts pipeline={name} />
              </div>
            )}
          </div>
        }
      />
      {adding && (
        <AddBlockDialog
          pipeline={name}
          blocks={blocks}
          defaultUpstream={selected}
          onClose={() => setAdding(false)}
          onAdded={(added) => {
            setAdding(false);
            setFresh(added);
            reload();
            select(added);
          }}
        />
      )}
      {runningAll && <RunDialog pipeline={name} defaults={pipeline?.variables} onClose={() => setRunningAll(false)} />}
    </div>
  );
}
