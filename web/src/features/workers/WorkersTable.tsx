import { useState } from 'react';
import type { WorkerRecord } from '@sluice/api';
import { call, enc } from '../../api/client.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { formatRelative } from '../../format.ts';
import { href } from '../../router.ts';
import { useCan } from '../users/session-context.ts';

/** `taking`, `drain asked` (until the worker's next heartbeat) or `draining`. */
function stateOf(worker: WorkerRecord): { label: string; badge: string } {
  if (worker.draining) return { label: 'draining', badge: 'badge-cancelled' };
  if (worker.drainRequested) return { label: 'drain asked', badge: 'badge-queued' };
  return { label: 'taking', badge: 'badge-running' };
}

function DrainButton({ worker, onDrained }: { worker: WorkerRecord; onDrained: () => void }) {
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const canDrain = useCan('operator');
  const drain = () => {
    setBusy(true);
    call('POST /api/workers/:id/drain', { params: { id: worker.id } }).then(onDrained, setError).finally(() => setBusy(false));
  };
  if (!canDrain) return null;
  return (
    <>
      <button
        type="button"
        className="button small"
        disabled={busy || worker.draining || worker.drainRequested}
        onClick={drain}
        title="Takes nothing new, finishes the block runs it holds, then stops"
        data-testid="worker-drain"
      >
        Drain
      </button>
      <ErrorNote error={error} />
    </>
  );
}

/** A held block run, `RUN/BLOCK`, as a link to the block in its run. */
function HeldBlockRun({ name }: { name: string }) {
  const slash = name.indexOf('/');
  const [run, block] = [name.slice(0, slash), name.slice(slash + 1)];
  return (
    <div className="running-block" data-testid="worker-block-run" data-run-id={run} data-block={block}>
      <a href={href(`/runs/${enc(run)}?block=${enc(block)}`)}>{block}</a> <span className="muted small mono">{run}</span>
    </div>
  );
}

export function WorkersTable({ workers, onDrained }: { workers: readonly WorkerRecord[]; onDrained: () => void }) {
  return (
    <table className="table" data-testid="workers-table">
      <thead>
        <tr><th>Host</th><th>Checkout</th><th className="num">Slots</th><th>Running</th><th>Last heartbeat</th><th>State</th><th /></tr>
      </thead>
      <tbody>
        {workers.map((w) => {
          const state = stateOf(w);
          return (
            <tr key={w.id} data-testid="worker-row" data-worker-id={w.id} data-pid={w.pid}>
              <td><span className="strong">{w.host}</span><div className="muted small mono">pid {w.pid}</div></td>
              <td className="mono small" data-testid="worker-version">{w.version}</td>
              <td className="num" data-testid="worker-slots">{w.running.length} / {w.concurrency}</td>
              <td>
                {w.running.length === 0 && <span className="muted small">idle</span>}
                {w.running.map((name) => <HeldBlockRun key={name} name={name} />)}
              </td>
              <td className="small">
                {formatRelative(w.heartbeatAt)}
                {w.stale && <span className="badge badge-failed" title="No heartbeat for three beats: the worker is likely gone">stale</span>}
              </td>
              <td><span className={`badge ${state.badge}`} data-testid="worker-state">{state.label}</span></td>
              <td><DrainButton worker={w} onDrained={onDrained} /></td>
            </tr>
          );
        })}
        {workers.length === 0 && (
          <tr><td colSpan={7} className="empty" data-testid="workers-empty">No workers are running; start one with <code>sluice worker --concurrency 2</code>.</td></tr>
        )}
      </tbody>
    </table>
  );
}
