import { useState } from 'react';
import { call, enc } from '../../api/client.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { durationBetween, formatDuration, formatTime } from '../../format.ts';
import { href, navigate } from '../../router.ts';
import { Gantt } from './Gantt.tsx';
import { LogView } from './LogView.tsx';
import { RunFacts } from './RunFacts.tsx';
import { RunAnomalies } from './RunAnomalies.tsx';
import { hasOutput, OutputTable } from './OutputTable.tsx';
import { useRunWatch } from './use-run-watch.ts';
import { CheckResults } from '../quality/CheckResults.tsx';
import { DriftEvents } from '../quality/DriftEvents.tsx';
import { RunFiles } from './RunFiles.tsx';
import { useCan } from '../users/session-context.ts';

/** One run: its timeline, each block's logs, rows and output, and retry / cancel; `?block=` opens a block. */
export default function RunPage({ id, block }: { id: string; block?: string | undefined }) {
  const canRun = useCan('operator');
  const { run, blocks, logs, error, refresh } = useRunWatch(id);
  const [selected, setSelected] = useState<string | undefined>(block);
  const [actionError, setActionError] = useState<Error>();
  const blockRun = blocks.find((b) => b.block === selected);
  const active = run?.status === 'queued' || run?.status === 'running';

  const retry = (fromBlock?: string) =>
    call('POST /api/runs/:id/retry', { params: { id }, body: fromBlock ? { from_block: fromBlock } : {} }).then(({ run_id }) => {
      if (run_id === id) refresh();
      else navigate(`/runs/${enc(run_id)}`);
    }, setActionError);
  const cancel = () => call('POST /api/runs/:id/cancel', { params: { id } }).then(refresh, setActionError);

  return (
    <div className="page" data-testid="run-page">
      <PageHeader
        title={
          <span className="inline">
            <a href={href(`/pipelines/${enc(run?.pipeline ?? '')}`)}>{run?.pipeline ?? '…'}</a>
            <span className="muted mono small">{id}</span>
            <StatusBadge status={run?.status} rejected={run?.rowsRejected} />
          </span>
        }
        subtitle={
          run && (
            <span>
              {run.trigger} · started {formatTime(run.startedAt)} · {formatDuration(durationBetween(run.startedAt, run.endedAt))}
              {run.logicalDate && <> · logical date <code>{run.logicalDate}</code></>}
              {run.attempt > 1 && <> · attempt {run.attempt}</>}
            </span>
          )
        }
        actions={
          canRun && <>
            {active && <button type="button" className="button danger" onClick={() => void cancel()} data-testid="cancel-run">Cancel</button>}
            {!active && run && (
              <button type="button" className="button" disabled={run.status === 'succeeded'} onClick={() => void retry()} title="Run the blocks that did not succeed again" data-testid="retry-run">Retry</button>
            )}
            {!active && run && selected && (
              <button type="button" className="button" onClick={() => void retry(selected)} title={`Run ${selected} and everything downstream of it again`} data-testid="retry-from-block">Retry from {selected}</button>
            )}
          </>
        }
      />
      <ErrorNote error={error ?? actionError} />
      {run?.error && <ErrorNote error={run.error} pipeline={run.pipeline} testId="run-error" />}
      <RunFacts id={id} pipeline={run?.pipeline} finished={Boolean(run && !active)} />
      <CheckResults runId={id} finished={Boolean(run && !active)} />
      <RunAnomalies id={id} finished={Boolean(run && !active)} />
      <DriftEvents runId={id} finished={Boolean(run && !active)} />
      <h3 className="section-title">Timeline</h3>
      <Gantt blocks={blocks} selected={selected} onSelect={setSelected} />
      <h3 className="section-title">{selected ? `Block ${selected}` : 'Logs'}</h3>
      {blockRun?.error && <ErrorNote error={{ ...blockRun.error, location: { block: blockRun.block, ...blockRun.error.location } }} pipeline={run?.pipeline} testId="block-error" />}
      {blockRun?.summary && <p className="muted small">{blockRun.summary}</p>}
      {blockRun?.files && <RunFiles files={blockRun.files} />}
      <div className={selected ? 'run-detail two' : 'run-detail'}>
        <LogView logs={logs} block={selected} runId={id} testId="run-logs" />
        {selected && hasOutput(blockRun) && <OutputTable runId={id} block={selected} />}
      </div>
    </div>
  );
}
