import os from 'node:os';
import type { ConnectorRegistry } from '../core/connectors/connector.ts';
import type { DataPlane } from '../core/data-plane/data-plane.ts';
import { toSluiceError } from '../core/errors.ts';
import type { OutputStore } from '../core/output-store/output-store.ts';
import { loadProject } from '../core/project/load-project.ts';
import type { BlockRunners, BlockRunStore } from '../core/run/block-runner.ts';
import { executeBlockRun } from '../core/run/execute-block-run.ts';
import type { BlockRunClaim, BlockRunLedger } from './block-run-ledger.ts';
import { consumeBlockRunQueue, openBlockRunQueue, type BlockRunWakeUp, type QueueSettings } from './block-run-queue.ts';
import { createLeaseClock, fenceOutputStore, fenceRunStore } from './fenced-scope.ts';
import { createPipelineCache } from './pipeline-cache.ts';
import { workerBeatMs } from './postgres-block-run-ledger.ts';

/** What a worker tells its operator, one event a line. */
export type WorkerEvent =
  | { readonly kind: 'started'; readonly claim: BlockRunClaim }
  | { readonly kind: 'finished'; readonly claim: BlockRunClaim; readonly status: string }
  | { readonly kind: 'skipped'; readonly wakeUp: BlockRunWakeUp; readonly reason: string }
  | { readonly kind: 'refused'; readonly wakeUp: BlockRunWakeUp; readonly reason: string }
  | { readonly kind: 'fenced'; readonly claim: BlockRunClaim; readonly reason: string }
  | { readonly kind: 'threads'; readonly threads: number; readonly slotsOnHost: number; readonly cores: number }
  | { readonly kind: 'problem'; readonly message: string };

export interface BlockRunWorkerOptions {
  readonly root: string;
  readonly ledger: BlockRunLedger;
  readonly queue: QueueSettings;
  readonly store: BlockRunStore;
  readonly dataPlane: DataPlane;
  readonly connectors: ConnectorRegistry;
  readonly runners: BlockRunners;
  readonly outputs: OutputStore;
  readonly concurrency: number;
  /** How long a claim holds without renewal; renewed every third of it. */
  readonly leaseMs: number;
  /** The checkout, shown by `sluice workers`. */
  readonly version: string;
  /**
   * Sizes the data plane to this worker's share of the machine: its cores
   * divided by the slots of every live worker on this host, checked with each
   * heartbeat. Off when the project sets `data_plane.threads` itself.
   */
  readonly shareCores?: boolean | undefined;
  /** How long a refused wake-up waits before it is offered again, to this or another worker. */
  readonly refusalDelayMs?: number | undefined;
  readonly onEvent?: ((event: WorkerEvent) => void) | undefined;
  /**
   * Called once when an operator asks this worker to drain through the
   * ledger (`sluice workers --drain`, the API): the owner then stops it as on
   * SIGTERM, so a drain has one path whoever asks.
   */
  readonly onDrainRequested?: (() => void) | undefined;
}

export interface BlockRunWorker {
  readonly id: string;
  /** Block runs held now. */
  readonly running: number;
  /** Takes nothing new, finishes what it holds, and says goodbye in the ledger. */
  stop(): Promise<void>;
}

/**
 * Takes block runs off the queue and runs them with `executeBlockRun`, in this
 * process. A wake-up is only a hint: the worker checks the pipeline's version
 * against its own checkout (refusing, so another worker gets it), claims the
 * block run in the ledger (the claim gives it a fencing token), renews the
 * claim while the block runs, and writes through fenced stores.
 */
export async function startBlockRunWorker(options: BlockRunWorkerOptions): Promise<BlockRunWorker> {
  const { ledger, root, leaseMs } = options;
  const id = `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const emit = (event: WorkerEvent): void => options.onEvent?.(event);
  const held = new Map<string, BlockRunClaim>();
  let draining = false;
  const requeue = await openBlockRunQueue(options.queue);
  const refusals = new Set<string>();
  const pipelines = createPipelineCache(root);

  let drainAsked = false;
  let threads: number | undefined;
  let slotsSeen: number | undefined;
  /** Gives the data plane this worker's share of the host's cores, and says so whenever the host's slots change. */
  const shareCores = async (): Promise<void> => {
    if (!options.shareCores) return;
    const host = os.hostname();
    const slotsOnHost = Math.max(
      options.concurrency,
      (await ledger.workers()).filter((w) => w.host === host && !w.stale).reduce((sum, w) => sum + w.concurrency, 0),
    );
    if (slotsOnHost === slotsSeen) return;
    const cores = os.availableParallelism();
    const share = threadsForShare(cores, slotsOnHost);
    if (share !== threads) await options.dataPlane.setThreads(share);
    threads = share;
    slotsSeen = slotsOnHost;
    emit({ kind: 'threads', threads: share, slotsOnHost, cores });
  };
  const beat = (): Promise<void> =>
    ledger
      .beat({ id, host: os.hostname(), pid: process.pid, version: options.version, concurrency: options.concurrency, draining, running: [...held.keys()] })
      .then(async ({ drain }) => {
        await shareCores();
        if (!drain || drainAsked || draining) return;
        drainAsked = true;
        options.onDrainRequested?.();
      })
      .catch((error: unknown) => emit({ kind: 'problem', message: `heartbeat not recorded: ${toSluiceError(error).message}` }));

  const refuse = async (wakeUp: BlockRunWakeUp, reason: string): Promise<void> => {
    emit({ kind: 'refused', wakeUp, reason });
    const enqueues = await ledger.reenqueue(wakeUp, reason);
    if (enqueues === undefined) return;
    await requeue.add(wakeUp, enqueues, options.refusalDelayMs ?? 2_000);
    // The run's log says once why its block waits, so its owner sees it without reading worker logs.
    const said = `${wakeUp.runId}|${wakeUp.block}|${reason}`;
    if (refusals.has(said)) return;
    refusals.add(said);
    await options.store.appendLog({ runId: wakeUp.runId, block: wakeUp.block, level: 'warn', message: reason, at: new Date().toISOString() }).catch(() => undefined);
  };

  const handle = async (wakeUp: BlockRunWakeUp): Promise<void> => {
    let pipeline;
    try {
      pipeline = pipelines.get(wakeUp.pipeline);
    } catch (error) {
      return refuse(wakeUp, `worker ${id} cannot load pipeline '${wakeUp.pipeline}': ${toSluiceError(error).message}`);
    }
    if (pipeline.version !== wakeUp.pipelineVersion) {
      return refuse(
        wakeUp,
        `worker ${id} has pipeline '${wakeUp.pipeline}' at version ${pipeline.version}, but the run was planned with version ${wakeUp.pipelineVersion}; the block run waits for a worker with that version`,
      );
    }
    const lease = createLeaseClock(leaseMs);
    const claimSent = performance.now();
    const claim = await ledger.claim(wakeUp, id, leaseMs);
    if (claim) lease.confirmed(claimSent);
    if (!claim) return emit({ kind: 'skipped', wakeUp, reason: 'another worker holds it, or it ended' });
    const name = `${claim.runId}/${claim.block}`;
    held.set(name, claim);
    const stop = new AbortController();
    let fenced = false;
    const onFenced = (): void => {
      fenced = true;
      stop.abort();
    };
    const renewal = setInterval(() => {
      const sent = performance.now();
      ledger.renew(claim, leaseMs).then(
        ({ held: still, cancel }) => {
          if (still) lease.confirmed(sent);
          if (!still) onFenced();
          else if (cancel) stop.abort();
        },
        () => undefined,
      );
    }, Math.max(100, Math.floor(leaseMs / 3)));
    emit({ kind: 'started', claim });
    try {
      const scope = {
        project: loadProject(root),
        pipeline,
        store: fenceRunStore(options.store, ledger, claim, onFenced, lease.surelyHeld),
        dataPlane: options.dataPlane,
        connectors: options.connectors,
        runners: options.runners,
        outputs: fenceOutputStore(options.outputs, ledger, claim, onFenced),
      };
      const outcome = await executeBlockRun(scope, { ...claim.job, outputLocation: claimOutputLocation(claim) }, stop.signal);
      if (!(await ledger.finish(claim, outcome))) throw new Error('a later claim took the block run before its outcome was recorded');
      emit({ kind: 'finished', claim, status: outcome.record.status });
    } catch (error) {
      const message = toSluiceError(error).message;
      if (fenced || !(await ledger.holds(claim).catch(() => false))) emit({ kind: 'fenced', claim, reason: message });
      else {
        // The engine itself broke (the run store, the data plane): the block run fails with that error, as in-process.
        const record = { runId: claim.runId, block: claim.block, status: 'failed' as const, endedAt: new Date().toISOString(), error: toSluiceError(error).toJSON() };
        await options.store.upsertBlockRun(record).catch(() => undefined);
        await ledger.finish(claim, { record }).catch(() => undefined);
        emit({ kind: 'finished', claim, status: 'failed' });
      }
    } finally {
      clearInterval(renewal);
      held.delete(name);
    }
  };

  const consumer = await consumeBlockRunQueue(options.queue, options.concurrency, handle);
  await beat();
  const beating = setInterval(() => void beat(), workerBeatMs);
  return {
    id,
    get running() {
      return held.size;
    },
    async stop() {
      draining = true;
      await beat();
      await consumer.close();
      clearInterval(beating);
      await requeue.close();
      await ledger.leave(id).catch(() => undefined);
    },
  };
}

/**
 * Where a claim keeps its output: the planned location for the first claim,
 * a location of its own for each later one. The ledger's outcome, and the
 * record fenced by the token, point downstream blocks and readers at the
 * claim that finished; a claim that lapsed right after its last check can then
 * only write a file nobody reads, never replace the one that counts.
 */
export function claimOutputLocation(claim: BlockRunClaim): string {
  const planned = claim.job.outputLocation;
  if (claim.token <= 1) return planned;
  return planned.endsWith('.parquet') ? `${planned.slice(0, -'.parquet'.length)}.token-${claim.token}.parquet` : `${planned}.token-${claim.token}`;
}

/**
 * A worker's share of its machine's cores, in data-plane threads: the cores
 * divided by the block runs the host's workers may run at once, at least one.
 * Several workers on one machine, each with an engine on every core, spent a
 * sixth more CPU on the same small block runs, with threads handing work to
 * each other.
 */
export function threadsForShare(cores: number, slotsOnHost: number): number {
  return Math.max(1, Math.floor(cores / Math.max(1, slotsOnHost)));
}
