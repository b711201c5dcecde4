import { setTimeout as sleep } from 'node:timers/promises';
import { SluiceError } from '../core/errors.ts';
import type { Logger } from '../core/run/logger.ts';

/**
 * Runs a sink commit (or a read from the broker) until it succeeds, waiting
 * longer after each failure (0.5 s doubling to 30 s). The batch's messages
 * stay unacknowledged all the while, so nothing is lost however long the sink
 * is down. An error that says no retry can help (a table whose columns do not
 * fit) ends the stream instead. Aborting `signal` ends the waiting.
 */
export async function retryWithBackoff<T>(what: string, work: () => Promise<T>, logger: Logger, signal: AbortSignal, onRetry?: (error: unknown) => Promise<void>): Promise<T> {
  let delay = 500;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (signal.aborted || (error instanceof SluiceError && !error.retryable)) throw error;
      logger.warn(`${what} failed (attempt ${attempt}), retrying in ${delay} ms: ${(error as Error).message}`);
      await sleep(delay, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) throw error;
      delay = Math.min(delay * 2, 30_000);
      await onRetry?.(error);
    }
  }
}
