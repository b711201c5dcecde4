import type { StreamMessage, StreamSource } from './stream-source.ts';

/**
 * One micro-batch: waits for a first message (checking `stop` every
 * `waitMs`), then takes more until the batch holds `max` messages or `waitMs`
 * has passed since that first one. Returns empty only when stopped, or with
 * `returnIdle`, after `waitMs` with no message (the caller tells idle time).
 */
export async function collectBatch(source: StreamSource, max: number, waitMs: number, stop: AbortSignal, returnIdle = false): Promise<StreamMessage[]> {
  const batch: StreamMessage[] = [];
  while (!batch.length && !stop.aborted) {
    batch.push(...(await source.pull(max, waitMs, stop)));
    if (returnIdle) break;
  }
  if (!batch.length) return batch;
  const closesAt = Date.now() + waitMs;
  while (batch.length < max && !stop.aborted) {
    const left = closesAt - Date.now();
    if (left <= 0) break;
    batch.push(...(await source.pull(max - batch.length, left, stop)));
  }
  return batch;
}
