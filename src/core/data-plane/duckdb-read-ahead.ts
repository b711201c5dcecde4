import type { DuckDBDataChunk, DuckDBResult } from '@duckdb/node-api';

/**
 * A streaming result's chunks, fetched up to `depth` ahead of the consumer:
 * the engine keeps reading while JS works on earlier chunks, so a slow fetch
 * (the first chunk of a new row group, say) is absorbed instead of waited for.
 * One fetch is in flight at a time, as a result allows. Returning early (or
 * throwing) waits for that fetch to land before the caller closes the connection.
 */
export async function* readAhead(result: DuckDBResult, depth: number): AsyncGenerator<DuckDBDataChunk> {
  const ready: DuckDBDataChunk[] = [];
  let failure: { error: unknown } | undefined;
  let ended = false;
  let stopped = false;
  let wake: (() => void) | undefined;
  let room: (() => void) | undefined;
  const fetching = (async () => {
    try {
      while (!stopped) {
        if (ready.length >= depth) {
          await new Promise<void>((resolve) => (room = resolve));
          room = undefined;
          continue;
        }
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        ready.push(chunk);
        wake?.();
      }
    } catch (error) {
      failure = { error };
    } finally {
      ended = true;
      wake?.();
    }
  })();
  try {
    for (;;) {
      const chunk = ready.shift();
      if (chunk) {
        room?.();
        yield chunk;
        continue;
      }
      if (failure) throw failure.error;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    stopped = true;
    room?.();
    await fetching;
  }
}
