import { setTimeout as sleep } from 'node:timers/promises';
import type { DataPlaneSession } from '../../core/data-plane/data-plane.ts';
import { ConnectorError } from '../../core/errors.ts';

let aliasCounter = 0;

/** One operation per database file at a time within this process (runs side by side share one engine). */
const fileQueues = new Map<string, Promise<unknown>>();

function serialized<T>(file: string, work: () => Promise<T>): Promise<T> {
  const previous = fileQueues.get(file) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(work);
  fileQueues.set(file, next);
  void next.catch(() => undefined).finally(() => {
    if (fileQueues.get(file) === next) fileQueues.delete(file);
  });
  return next;
}

/** Attaches the file for one operation, waiting while another process holds its lock. */
export function withDatabase<T>(session: DataPlaneSession, file: string, work: (alias: string) => Promise<T>): Promise<T> {
  return serialized(file, () => attachFor(session, file, work));
}

async function attachFor<T>(session: DataPlaneSession, file: string, work: (alias: string) => Promise<T>): Promise<T> {
  const alias = `__sluice_db_${++aliasCounter}`;
  const deadline = Date.now() + 60_000;
  for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
    try {
      await session.attachDatabase(file, alias);
      break;
    } catch (error) {
      const message = (error as Error).message;
      if (/lock/i.test(message) && Date.now() < deadline) {
        await sleep(wait);
        continue;
      }
      throw new ConnectorError('duckdb.attach_failed', `cannot open ${file}: ${message.split('\n')[0]}`, { cause: error, retryable: /lock/i.test(message) });
    }
  }
  try {
    return await work(alias);
  } finally {
    await session.detachDatabase(alias);
  }
}
