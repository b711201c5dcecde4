import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

/** How the supervisor restarts a stream that failed, and when it tells people. */
export interface RestartPolicy {
  /** The wait before the first restart; it doubles after each failure in a row. */
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Failures in a row before an alert is sent (and again every this many). */
  readonly alertAfter: number;
  /** A stream that ran this long before failing starts its count of failures afresh. */
  readonly healthyAfterMs: number;
}

export const defaultRestartPolicy: RestartPolicy = { initialBackoffMs: 1000, maxBackoffMs: 60_000, alertAfter: 3, healthyAfterMs: 60_000 };

export type StreamSupervisorEvent =
  | { readonly kind: 'started'; readonly pipeline: string; readonly restarts: number }
  | { readonly kind: 'stopped'; readonly pipeline: string }
  | { readonly kind: 'failed'; readonly pipeline: string; readonly error: Error; readonly failuresInARow: number; readonly restartInMs: number }
  | { readonly kind: 'standby'; readonly pipeline: string }
  | { readonly kind: 'lease_lost'; readonly pipeline: string };

/** What one supervised run of a stream is given; it ends when `stop` is aborted (a clean stop) or throws. */
export interface SupervisedStream {
  readonly pipeline: string;
  /** Asks for a clean stop: commit the batch in hand, then return. */
  readonly stop: AbortSignal;
  /** How many times the supervisor restarted this stream since it took it. */
  readonly restarts: number;
}

export interface StreamSupervisorDependencies {
  /** The streaming pipelines to keep running, read again on every pass (files are the truth). */
  readonly listStreams: () => readonly string[];
  /** Runs one stream until `stop` is aborted (resolves) or it fails (rejects). */
  readonly runStream: (stream: SupervisedStream) => Promise<void>;
  /** Takes or renews a lease shared by every supervisor of the project, so one process runs each stream. */
  readonly acquireLease: (name: string, owner: string, ttlMs: number) => Promise<boolean>;
  readonly releaseLease: (name: string, owner: string) => Promise<boolean>;
  /** Told when a stream has failed `alertAfter` times in a row. */
  readonly onRepeatedFailure?: (pipeline: string, error: Error, failuresInARow: number, restartInMs: number) => Promise<unknown>;
  readonly onEvent?: (event: StreamSupervisorEvent) => void;
  readonly owner?: string;
  readonly leaseMs?: number;
  readonly pollMs?: number;
  readonly policy?: Partial<RestartPolicy>;
}

export interface StreamSupervisor {
  readonly owner: string;
  /** One pass: start the streams this process can take, stop those whose file went away. */
  tick(): Promise<void>;
  start(): void;
  /** Stops every stream cleanly (each commits its batch in hand) and gives up the leases. */
  stop(): Promise<void>;
}

/** The wait before restart number `failuresInARow` (1 for the first failure). */
export function backoffFor(failuresInARow: number, policy: RestartPolicy): number {
  return Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.max(0, failuresInARow - 1));
}

interface Supervised {
  readonly stop: AbortController;
  readonly done: Promise<void>;
}

/**
 * Keeps a project's streaming pipelines running inside `sluice serve` or
 * `sluice scheduler`. Each stream runs in the process that holds its lease
 * (`stream:NAME` in the run store), so two servers never consume one stream
 * twice and a standby takes over when the holder dies. A stream that fails is
 * restarted with a doubling backoff; after `alertAfter` failures in a row the
 * alert channels are told, and again every `alertAfter` failures after that.
 */
export function createStreamSupervisor(deps: StreamSupervisorDependencies): StreamSupervisor {
  const owner = deps.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const leaseMs = deps.leaseMs ?? 30_000;
  const pollMs = deps.pollMs ?? 5000;
  const policy: RestartPolicy = { ...defaultRestartPolicy, ...deps.policy };
  const running = new Map<string, Supervised>();
  const standing = new Set<string>();
  const emit = (event: StreamSupervisorEvent): void => deps.onEvent?.(event);
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> = Promise.resolve();

  const leaseName = (pipeline: string): string => `stream:${pipeline}`;

  /** Runs `pipeline` again and again while this process holds its lease and it is not stopped. */
  const supervise = async (pipeline: string, stop: AbortController): Promise<void> => {
    let failuresInARow = 0;
    let restarts = 0;
    while (!stop.signal.aborted) {
      const attempt = new AbortController();
      const onStop = (): void => attempt.abort();
      stop.signal.addEventListener('abort', onStop, { once: true });
      // Renewed at a third of its life, so a slow pass never lets it lapse.
      const renew = setInterval(() => {
        void deps.acquireLease(leaseName(pipeline), owner, leaseMs).then(
          (held) => {
            if (!held && !attempt.signal.aborted) {
              emit({ kind: 'lease_lost', pipeline });
              stop.abort();
            }
          },
          () => undefined,
        );
      }, Math.max(50, Math.floor(leaseMs / 3)));
      const startedAt = Date.now();
      emit({ kind: 'started', pipeline, restarts });
      try {
        await deps.runStream({ pipeline, stop: attempt.signal, restarts });
        if (!attempt.signal.aborted) throw new Error('the stream ended without being asked to stop');
        break;
      } catch (error) {
        if (stop.signal.aborted) break;
        failuresInARow = Date.now() - startedAt >= policy.healthyAfterMs ? 1 : failuresInARow + 1;
        const restartInMs = backoffFor(failuresInARow, policy);
        emit({ kind: 'failed', pipeline, error: error as Error, failuresInARow, restartInMs });
        if (failuresInARow % policy.alertAfter === 0) {
          await deps.onRepeatedFailure?.(pipeline, error as Error, failuresInARow, restartInMs).catch(() => undefined);
        }
        await sleep(restartInMs, stop.signal);
        restarts += 1;
      } finally {
        clearInterval(renew);
        stop.signal.removeEventListener('abort', onStop);
      }
    }
    await deps.releaseLease(leaseName(pipeline), owner).catch(() => false);
    emit({ kind: 'stopped', pipeline });
  };

  const tick = async (): Promise<void> => {
    if (closed) return;
    const wanted = new Set(deps.listStreams());
    for (const [pipeline, supervised] of running) {
      if (!wanted.has(pipeline)) {
        supervised.stop.abort();
        await supervised.done;
      }
    }
    for (const pipeline of wanted) {
      if (running.has(pipeline) || closed) continue;
      const held = await deps.acquireLease(leaseName(pipeline), owner, leaseMs).catch(() => false);
      if (!held) {
        if (!standing.has(pipeline)) emit({ kind: 'standby', pipeline });
        standing.add(pipeline);
        continue;
      }
      standing.delete(pipeline);
      const stop = new AbortController();
      const done = supervise(pipeline, stop).finally(() => running.delete(pipeline));
      running.set(pipeline, { stop, done });
    }
  };

  const loop = (): void => {
    pass = tick().finally(() => {
      if (!closed) timer = setTimeout(loop, pollMs);
    });
  };

  return {
    owner,
    tick,
    start: loop,
    async stop() {
      closed = true;
      if (timer) clearTimeout(timer);
      await pass.catch(() => undefined);
      for (const supervised of running.values()) supervised.stop.abort();
      await Promise.all([...running.values()].map((s) => s.done));
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
