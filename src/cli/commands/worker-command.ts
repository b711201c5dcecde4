import { execFileSync } from 'node:child_process';
import { ConfigError } from '../../core/errors.ts';
import { loadProject } from '../../core/project/load-project.ts';
import { startBlockRunWorker, type WorkerEvent } from '../../executor/block-run-worker.ts';
import { PostgresBlockRunLedger } from '../../executor/postgres-block-run-ledger.ts';
import { createEngine, queueSettingsOf } from '../../engine/create-engine.ts';
import { dim, green, red, yellow, type Output } from '../output.ts';
import { UsageError } from '../usage-error.ts';

export interface WorkerCommandOptions {
  readonly concurrency?: string;
  readonly lease?: string;
  readonly drain?: boolean;
}

/**
 * `sluice worker`: runs block runs from the project's queue until stopped.
 * SIGTERM or SIGINT drains it: it takes nothing new and exits once the block
 * runs it holds have ended. With --drain it also exits once the queue is empty.
 */
export async function workerCommand(options: WorkerCommandOptions, out: Output): Promise<number> {
  const concurrency = wholeNumber('--concurrency', options.concurrency ?? '2', 1, 256);
  const leaseMs = wholeNumber('--lease', options.lease ?? '30000', 300, 3_600_000);
  const project = loadProject(process.cwd());
  const queue = queueSettingsOf(project);
  if (!queue) throw new ConfigError('worker.no_queue', 'sluice.yaml sets no queue: (queue: { type: redis, url: ${REDIS_URL} }); without it block runs run in the process that runs the run, and there is nothing for a worker to take', { location: { file: 'sluice.yaml' } });
  const engine = await createEngine(project);
  const ledger = await PostgresBlockRunLedger.open(queue.metadataUrl, queue.schema);
  const version = checkoutOf(project.root);
  // SIGTERM, SIGINT, --drain on an empty queue and an operator's drain all end here: one way to drain.
  let stopped!: () => void;
  const stop = new Promise<void>((resolve) => (stopped = resolve));
  const worker = await startBlockRunWorker({
    root: project.root,
    ledger,
    queue,
    store: engine.store,
    dataPlane: await engine.dataPlane(),
    connectors: engine.connectors,
    runners: engine.runners,
    outputs: engine.outputs,
    concurrency,
    leaseMs,
    version,
    shareCores: project.settings.data_plane.threads === undefined,
    onEvent: (event) => report(event, out),
    onDrainRequested: () => {
      out.line('an operator asked this worker to drain');
      stopped();
    },
  });
  out.line(`worker ${worker.id} takes block runs from ${queue.prefix}: ${concurrency} at once, checkout ${version}${options.drain ? ', until the queue is empty' : ''}`);
  process.once('SIGTERM', () => stopped());
  process.once('SIGINT', () => stopped());
  const emptyQueue = options.drain ? setInterval(() => void drained(), 500) : undefined;
  const drained = async (): Promise<void> => {
    const stats = await ledger.stats().catch(() => undefined);
    if (stats && stats.queued === 0 && worker.running === 0) stopped();
  };
  await stop;
  clearInterval(emptyQueue);
  out.line(dim(`worker ${worker.id} drains: ${worker.running} block run${worker.running === 1 ? '' : 's'} to finish`));
  await worker.stop();
  await ledger.close();
  await engine.close();
  out.line(`worker ${worker.id} stopped`);
  return 0;
}

function report(event: WorkerEvent, out: Output): void {
  switch (event.kind) {
    case 'started':
      return out.line(`▶ ${event.claim.runId} ${event.claim.block} ${dim(`attempt ${event.claim.attempt}, token ${event.claim.token}`)}`, { run: event.claim.runId });
    case 'finished':
      return out.line(`${event.status === 'succeeded' ? green('✓') : red('✗')} ${event.claim.runId} ${event.claim.block} ${event.status}`, { run: event.claim.runId, level: event.status === 'failed' ? 'error' : 'info' });
    case 'skipped':
      return out.line(dim(`· ${event.wakeUp.runId} ${event.wakeUp.block}: ${event.reason}`));
    case 'refused':
      return out.error(`${yellow('refused')} ${event.wakeUp.runId} ${event.wakeUp.block}: ${event.reason}`);
    case 'fenced':
      return out.error(`${yellow('fenced off')} ${event.claim.runId} ${event.claim.block}: ${event.reason}`);
    case 'threads':
      return out.line(dim(`data plane: ${event.threads} thread${event.threads === 1 ? '' : 's'} (${event.cores} cores for ${event.slotsOnHost} worker slot${event.slotsOnHost === 1 ? '' : 's'} on this host)`));
    case 'problem':
      return out.error(`${yellow('!')} ${event.message}`);
  }
}

/** The project's git commit, shown beside each worker so an operator sees a fleet on mixed checkouts. */
function checkoutOf(root: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || '-';
  } catch {
    return '-';
  }
}

function wholeNumber(option: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${option} takes a whole number from ${min} to ${max}; got '${text}'`);
  return n;
}
