import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { closeSync, constants, openSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Client, ClientBase } from 'pg';
import type { CopyStreamQuery } from 'pg-copy-streams';
import { ConnectorError, SluiceError } from '../../core/errors.ts';
import type { ConnectorContext } from '../../core/connectors/connector.ts';
import type { PostgresDriver } from './postgres-driver.ts';
import { clip, errorText } from './postgres-errors.ts';
import type { CopyOne, CopyTarget } from './postgres-copy-target.ts';
import { copyBinary } from './postgres-binary-copy.ts';
import { cancelled, copyError } from './postgres-copy-errors.ts';

export type { CopyTarget } from './postgres-copy-target.ts';

const execFileAsync = promisify(execFile);

/**
 * Loads one data-plane query through one COPY on `client`: as binary rows
 * built from the data plane's columns when the target allows it, else as
 * CSV through a named pipe. Returns the rows loaded.
 */
export const copyRows: CopyOne = (...args) => (args[3].binary ? copyBinary(...args) : copyThroughPipe(...args));

/**
 * Loads the rows of several data-plane queries at once, each through its own
 * PostgreSQL session. When one fails the others are stopped; the first real
 * error is reported. Returns the rows loaded.
 */
export async function copyInParallel(driver: PostgresDriver, selects: readonly string[], target: CopyTarget, context: ConnectorContext): Promise<number> {
  const stop = new AbortController();
  setMaxListeners(selects.length + 10, stop.signal); // one listener per session is expected, not a leak
  const onAbort = (): void => stop.abort(context.signal.reason);
  if (context.signal.aborted) onAbort();
  context.signal.addEventListener('abort', onAbort, { once: true });
  const clients: Client[] = [];
  let first: unknown;
  try {
    const settled = await Promise.allSettled(
      selects.map(async (select) => {
        try {
          const client = await driver.dedicated();
          clients.push(client);
          return await copyRows(driver, client, select, target, context, stop.signal, selects.length === 1);
        } catch (error) {
          first ??= error;
          stop.abort(error);
          throw error;
        }
      }),
    );
    if (first !== undefined) throw first;
    return settled.reduce((sum, s) => sum + (s.status === 'fulfilled' ? s.value : 0), 0);
  } finally {
    context.signal.removeEventListener('abort', onAbort);
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
}

/**
 * Streams one data-plane query into one `COPY ... FROM STDIN` on `client`
 * through a named pipe: the data plane writes CSV into it while this process
 * forwards what arrives to the server, so neither side holds the data.
 *
 * The pipe is opened without blocking, and this process keeps a write end of
 * its own until the data plane has finished: the reader never sees an early
 * end of file, and the data plane never waits for a reader. On failure the
 * pipe is drained (not closed) until the data plane has stopped, so no open
 * or write can hang, then the COPY is abandoned; the caller discards the session.
 */
export const copyThroughPipe: CopyOne = async (driver, client, select, target, context, signal, single) => {
  await mkdir(context.tempDir, { recursive: true });
  const fifo = path.join(context.tempDir, `postgres-copy-${randomUUID()}.pipe`);
  await execFileAsync('mkfifo', ['-m', '600', fifo]);
  let reader: Socket | undefined;
  let hold: number | undefined;
  try {
    reader = new Socket({ fd: openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK), readable: true, writable: false });
    hold = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    const copy = driver.copyFrom(target.copySql);
    const releaseHold = (): void => {
      if (hold !== undefined) closeSync(hold);
      hold = undefined;
    };
    return await transfer(client, copy, reader, releaseHold, select, fifo, target, context, signal, single);
  } finally {
    reader?.destroy();
    if (hold !== undefined) closeSync(hold);
    await rm(fifo, { force: true });
  }
};

async function transfer(
  client: ClientBase,
  copy: CopyStreamQuery,
  reader: Socket,
  releaseHold: () => void,
  select: string,
  fifo: string,
  target: CopyTarget,
  context: ConnectorContext,
  signal: AbortSignal,
  single: boolean,
): Promise<number> {
  if (signal.aborted) throw cancelled(target, signal);
  const stop = new AbortController();
  let failure: SluiceError | undefined;
  let copySettled = false;
  let settleCopy!: () => void;
  const copied = new Promise<void>((resolve) => (settleCopy = resolve));

  const fail = (error: SluiceError): void => {
    if (failure) return;
    failure = error;
    stop.abort(error);
    reader.unpipe(copy);
    reader.resume(); // drain: the data plane must never block on a full pipe
    if (!copySettled) copy.destroy(error); // sends CopyFail: the server rolls this COPY back
    settleCopy();
  };
  const onAbort = (): void => fail(cancelled(target, signal));
  copy.on('error', (error) => {
    copySettled = true;
    settleCopy();
    fail(copyError(error, target, single));
  });
  copy.on('finish', () => {
    copySettled = true;
    settleCopy();
  });
  reader.on('error', (error) => fail(new ConnectorError('postgres.copy_failed', `loading ${target.label}: the pipe failed: ${errorText(error)}`, { cause: error })));
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    client.query(copy);
    reader.pipe(copy);
    let written: number | undefined;
    try {
      written = await context.session.writeCsv(select, fifo, stop.signal);
    } catch (error) {
      fail(new ConnectorError('postgres.copy_failed', `loading ${target.label}: reading the input failed: ${clip(errorText(error).split('\n')[0]!)}`, { cause: error }));
    } finally {
      releaseHold(); // the data plane has closed its end: the reader now meets end of file after the last row
    }
    if (!failure) await copied;
    if (failure) throw failure;
    if (written !== undefined && copy.rowCount !== written) {
      throw new ConnectorError('postgres.copy_failed', `loading ${target.label}: the data plane wrote ${written} rows but PostgreSQL received ${copy.rowCount}`);
    }
    return copy.rowCount;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
