import { SluiceError } from '../errors.ts';
import type { RunHistory } from '../run-store/run-history.ts';
import type { RunQueue } from '../run-store/run-queue.ts';

/**
 * Renews the run's lease until stopped; if the store says the run is no longer ours, stops the run.
 * The first renewal is at once, unless `heartbeat.renewed` says the caller took the lease just now.
 */
export function keepRunAlive(
  store: Pick<RunQueue, 'heartbeat'> & Pick<RunHistory, 'getRun'>,
  id: string,
  heartbeat: { readonly owner: string; readonly leaseMs: number; readonly renewed?: boolean | undefined },
  lost: AbortController,
): () => void {
  const beat = async (): Promise<void> => {
    const alive = await store.heartbeat(id, heartbeat.owner, heartbeat.leaseMs).catch(() => true);
    if (alive || lost.signal.aborted) return;
    // A cancel from any process marks the run cancelled; its owner learns it here and stops.
    const status = (await store.getRun(id).catch(() => undefined))?.status;
    lost.abort(
      status === 'cancelled'
        ? new SluiceError('run.cancelled', 'the run was cancelled', { retryable: false })
        : new SluiceError('run.lost', 'the run was declared lost by another process (its heartbeat lapsed)', { retryable: true }),
    );
  };
  if (!heartbeat.renewed) void beat();
  const timer = setInterval(() => void beat(), Math.max(100, Math.floor(heartbeat.leaseMs / 3)));
  timer.unref();
  return () => clearInterval(timer);
}
