import { setTimeout as sleep } from 'node:timers/promises';
import { SluiceError, toSluiceError } from '../errors.ts';
import { formatDuration } from '../pipeline/duration.ts';
import type { Block } from '../pipeline/pipeline.ts';
import type { Logger } from './logger.ts';
import type { RoleOutcome } from './role-outcome.ts';

/**
 * Runs the block; a sensor's condition is checked until it holds, waiting
 * `poke_interval` between checks; the block's timeout ends the wait.
 */
export async function sense(block: Block, check: () => Promise<RoleOutcome>, signal: AbortSignal, logger: Logger): Promise<RoleOutcome> {
  const interval = block.pokeInterval ?? 30_000;
  for (let checks = 1; ; checks++) {
    const outcome = await check();
    if (outcome.ready === undefined) return outcome;
    if (outcome.ready) return { ...outcome, result: { ...outcome.result, summary: `condition held at check ${checks}` } };
    // A check that ignored its signal ends after the block run gave up on it (its timeout, a cancel): it stops here, unheard.
    if (signal.aborted) throw signal.reason;
    logger.info(`condition not met (check ${checks}); checking again in ${formatDuration(interval)}`);
    await sleep(interval, undefined, { signal });
  }
}

/**
 * A block that ignores its signal still loses the race against its timeout:
 * the run moves on (the abandoned work is cancelled as far as it listens).
 */
export function raceTimeout<T>(work: Promise<T>, blockSignal: AbortSignal, runSignal: AbortSignal, block: Block, timeout: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(timedOut(blockSignal.reason, blockSignal, runSignal, block, timeout));
    blockSignal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => blockSignal.removeEventListener('abort', onAbort));
  });
}

/** A block stopped by its own timeout fails with a retryable timeout error, not whatever the interruption threw. */
export function timedOut(error: unknown, blockSignal: AbortSignal, runSignal: AbortSignal, block: Block, timeout: number | undefined): SluiceError {
  if (timeout !== undefined && blockSignal.aborted && !runSignal.aborted) {
    const message = block.role === 'sensor' ? `sensor '${block.name}': its condition did not hold within ${formatDuration(timeout)}` : `block '${block.name}' ran longer than its timeout of ${formatDuration(timeout)}`;
    return new SluiceError(block.role === 'sensor' ? 'sensor.timeout' : 'block.timeout', message, {
      retryable: true,
      location: { block: block.name },
      cause: error,
    });
  }
  return toSluiceError(error);
}
