import { useState } from 'react';
import { call, enc } from '../../api/client.ts';
import type { RunRecord, RunningNow } from '@sluice/api';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { formatDuration, formatTime } from '../../format.ts';
import { href } from '../../router.ts';
import { useCan } from '../users/session-context.ts';

const elapsed = (since: string | undefined, now: number) => (since ? formatDuration(Math.max(0, now - Date.parse(since))) : '—');

/** Which process holds the run: `serve:host:pid` reads "serve on host, pid N". */
function ProcessName({ owner, heartbeatAt, now }: { owner: string | undefined; heartbeatAt: string | undefined; now: number }) {
  if (!owner) return <span className="muted small">not claimed by a process yet</span>;
  const [role, host, pid] = owner.split(':');
  const readable = host && pid && /^\d+$/.test(pid) ? `${role} on ${host}, pid ${pid}` : /^\d+$/.test(host ?? '') ? `${role}, pid ${host}` : owner;
  return (
    <span title={owner} data-testid="running-process">
      <span className="mono small">{readable}</span>
      {heartbeatAt && <span className="muted small"> · alive {elapsed(heartbeatAt, now)} ago</span>}
    </span>
  );
}

function CancelButton({ run, onCancelled }: { run: RunRecord; onCancelled: () => void }) {
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const canCancel = useCan('operator');
  const cancel = () => {
    setBusy(true);
    call('POST /api/runs/:id/cancel', { params: { id: run.id } }).then(onCancelled, setError).finally(() => setBusy(false));
  };
  if (!canCancel) return null;
  return (
    <>
      <button type="button" className="button small danger" disabled={busy} onClick={cancel} data-testid="running-cancel">Cancel</button>
      <ErrorNote error={error} />
    </>
  );
}

export function RunningRuns({ running, now, onCancelled }: { running: RunningNow['running']; now: number; onCancelled: () => void }) {
  return (
    <table className="table" data-testid="running-table">
      <thead><tr><th>Pipeline</th><th>Run</th><th>Process</th><th>Started</th><th className="num">Elapsed</th><th>Blocks running</th><th /></tr></thead>
      <tbody>
        {running.map(({ run, blocks }) => (
          <tr key={run.id} data-testid="running-row" data-run-id={run.id} data-pipeline={run.pipeline}>
            <td className="strong">{run.pipeline}</td>
            <td><a href={href(`/runs/${enc(run.id)}`)} className="mono small run-id">{run.id}</a><div className="muted small">{run.trigger}</div></td>
            <td><ProcessName owner={run.leaseOwner} heartbeatAt={run.heartbeatAt} now={now} /></td>
            <td className="muted small">{formatTime(run.startedAt)}</td>
            <td className="num" data-testid="running-elapsed">{elapsed(run.startedAt, now)}</td>
            <td>
              {blocks.length === 0 && <span className="muted small">between blocks</span>}
              {blocks.map((b) => (
                <div key={b.block} className="running-block" data-testid="running-block" data-block={b.block}>
                  <a href={href(`/runs/${enc(run.id)}?block=${enc(b.block)}`)}>{b.block}</a> <span className="muted small">for {elapsed(b.startedAt, now)}</span>
                </div>
              ))}
            </td>
            <td><CancelButton run={run} onCancelled={onCancelled} /></td>
          </tr>
        ))}
        {running.length === 0 && <tr><td colSpan={7} className="empty" data-testid="running-empty">Nothing is running.</td></tr>}
      </tbody>
    </table>
  );
}

export function QueuedRuns({ queued, now, onCancelled }: { queued: readonly RunRecord[]; now: number; onCancelled: () => void }) {
  return (
    <table className="table" data-testid="queued-table">
      <thead><tr><th>Pipeline</th><th>Run</th><th>Logical date</th><th className="num">Waiting</th><th /></tr></thead>
      <tbody>
        {queued.map((run) => (
          <tr key={run.id} data-testid="queued-row" data-run-id={run.id}>
            <td className="strong">{run.pipeline}</td>
            <td><a href={href(`/runs/${enc(run.id)}`)} className="mono small run-id">{run.id}</a><div className="muted small">{run.trigger}</div></td>
            <td className="mono small">{run.logicalDate ?? '—'}</td>
            <td className="num">{elapsed(run.startedAt, now)}</td>
            <td><CancelButton run={run} onCancelled={onCancelled} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
