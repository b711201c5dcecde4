import type { LogLevel, RunHistory } from '../core/run-store/run-history.ts';
import type { BlockRunKey } from './block-run-ledger.ts';

/** How often the lines of a block run on a worker are read, while someone watches it. */
export const followLogsMs = 250;

/**
 * Follows the log lines a worker writes to the run store for one block run,
 * and hands each new one to `onLine` in order: `sluice run` shows a queued
 * block run's lines as they happen, as it does for block runs in its own
 * process. Only the lines since the last read are asked for. `drain` reads
 * what is left once the block run ended, so every line comes before its
 * outcome; a failed read is tried again at the next tick (the lines stay in
 * the store for `sluice logs`).
 */
export function followBlockLogs(
  store: Pick<RunHistory, 'listLogs'>,
  key: BlockRunKey,
  onLine: (level: LogLevel, message: string) => void,
  everyMs = followLogsMs,
): { drain(): Promise<void>; stop(): void } {
  let read = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let reading: Promise<void> = Promise.resolve();
  const readNew = async (): Promise<void> => {
    const lines = await store.listLogs(key.runId, { block: key.block, offset: read }).catch(() => []);
    for (const line of lines) if (!stopped) onLine(line.level, line.message);
    read += lines.length;
  };
  const tick = (): void => {
    reading = readNew().finally(() => {
      if (!stopped) timer = setTimeout(tick, everyMs);
    });
  };
  timer = setTimeout(tick, everyMs);
  return {
    async drain() {
      if (timer) clearTimeout(timer);
      await reading;
      if (!stopped) await readNew();
      stopped = true;
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
