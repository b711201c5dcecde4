import { AsyncLocalStorage } from 'node:async_hooks';
import { mask } from '../project/secrets.ts';
import type { Logger } from './logger.ts';

interface Capture {
  readonly logger: Logger;
  readonly pending: { stdout: string; stderr: string };
}

const current = new AsyncLocalStorage<Capture>();
let installed = false;

/**
 * Runs a block's code so that whatever it prints (stdout, stderr, every
 * `console.*`) becomes its log lines: masked like `ctx.log`, stored with the
 * block's logs, and shown through the run's reporter, never raw on the
 * terminal. The capture follows the block's own async work (AsyncLocalStorage),
 * so blocks running at once in one process keep their lines apart.
 */
export async function captureBlockOutput<T>(logger: Logger, work: () => Promise<T>): Promise<T> {
  install();
  const capture: Capture = { logger, pending: { stdout: '', stderr: '' } };
  try {
    return await current.run(capture, work);
  } finally {
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = capture.pending[stream];
      capture.pending[stream] = '';
      if (rest) emit(capture, stream, rest);
    }
  }
}

/** Runs `fn` outside any block's capture: the run's own logging writes to the terminal as it is. */
export function uncaptured<T>(fn: () => T): T {
  return current.exit(fn);
}

function emit(capture: Capture, stream: 'stdout' | 'stderr', line: string): void {
  uncaptured(() => (stream === 'stdout' ? capture.logger.info(mask(line)) : capture.logger.warn(mask(line))));
}

/** Replaces the two streams' `write` once per process; outside a block it writes as before. */
function install(): void {
  if (installed) return;
  installed = true;
  for (const stream of ['stdout', 'stderr'] as const) {
    const target = process[stream];
    const original = target.write.bind(target) as (...args: unknown[]) => boolean;
    target.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
      const capture = current.getStore();
      if (!capture) return original(chunk, ...rest);
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      const lines = (capture.pending[stream] + text).split('\n');
      capture.pending[stream] = lines.pop()!;
      for (const line of lines) emit(capture, stream, line.replace(/\r$/, ''));
      const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
      if (callback) queueMicrotask(callback);
      return true;
    }) as typeof target.write;
  }
}
