import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, constants, openSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Connection as PromiseConnection, ResultSetHeader } from 'mysql2/promise';
import type { ConnectorContext, WriteRequest } from '../../core/connectors/connector.ts';
import { ConnectorError } from '../../core/errors.ts';
import { quoteIdent } from '../../core/sql/quote.ts';
import type { MysqlWriteSettings } from './mysql-config.ts';
import { serverErrno } from './mysql-errors.ts';
import { quoteMysqlIdent, type MysqlTableRef } from './mysql-names.ts';
import { loadColumnFor } from './mysql-types.ts';

const execFileAsync = promisify(execFile);

/** The server or the connection refuses LOCAL INFILE: the caller falls back to INSERTs. */
export class LoadDataRefused extends Error {}

/** Server errors that mean LOAD DATA LOCAL is switched off, not that the data is bad. */
const refusedErrnos = new Set([1148, 3948, 3950, 4166]);

/**
 * Loads the input into `into` with LOAD DATA LOCAL INFILE, MySQL's bulk
 * path: the data plane writes the input as CSV into a named pipe, which the
 * driver streams to the server as it is written. LOCAL makes the server turn bad values into
 * warnings (and truncate them); any warning or note fails the load here, with
 * the row, so the caller's transaction rolls back and nothing changes.
 */
export async function loadDataInto(
  conn: PromiseConnection,
  into: MysqlTableRef,
  input: WriteRequest<MysqlWriteSettings>['input'],
  context: ConnectorContext,
): Promise<number> {
  const columns = input.columns.map((c) => ({ name: c.name, ...loadColumnFor(c.name, c.type) }));
  const select = `SELECT ${columns.map((c, k) => `${c.field} AS ${quoteIdent(`c${k}`)}`).join(', ')} FROM ${quoteIdent(input.table)}`;
  const targets = columns.map((c, k) => (c.via === 'as_is' ? quoteMysqlIdent(c.name) : `@v${k}`));
  const decode = { hex: (v: string) => `UNHEX(${v})`, marked: (v: string) => `SUBSTRING(${v}, 2)` };
  const sets = columns.flatMap((c, k) => (c.via === 'as_is' ? [] : [`${quoteMysqlIdent(c.name)} = ${decode[c.via](`@v${k}`)}`]));
  const sql =
    `LOAD DATA LOCAL INFILE 'input.csv' INTO TABLE ${into.sql} CHARACTER SET utf8mb4 ` +
    `FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ` +
    `(${targets.join(', ')})${sets.length ? ` SET ${sets.join(', ')}` : ''}`;

  const { rows, result } = await loadThroughPipe(conn, sql, select, context);
  if (result.warningStatus > 0) {
    const [warnings] = await conn.query('SHOW WARNINGS LIMIT 1');
    const first = (warnings as { Message?: string }[])[0]?.Message ?? `${result.warningStatus} warning(s)`;
    const message = first.replace(/\bat row (\d+)\b/, (_, row: string) => `at row ${Number(row).toLocaleString('en-US')} of the input`);
    throw new ConnectorError('mysql.write_failed', `${message}; the server would have changed or skipped the value, so nothing was written`);
  }
  if (result.affectedRows !== rows) {
    throw new ConnectorError('mysql.write_failed', `the server took ${result.affectedRows} of ${rows} rows; nothing was written`);
  }
  return rows;
}

/**
 * Runs the LOAD DATA LOCAL statement while the data plane writes the input
 * as CSV into a named pipe that the driver streams to the server: writing
 * and loading overlap, and no copy of the input lands on disk.
 *
 * The pipe is opened without blocking, and this process keeps a write end of
 * its own until the data plane has finished, so the driver never sees an
 * early end of file. When the data plane fails, the stream fails and the
 * driver ends the load with that error; when the statement ends first (the
 * server refused it), the data plane is stopped and the pipe drained, so it
 * never blocks on a reader that is gone.
 */
async function loadThroughPipe(conn: PromiseConnection, sql: string, select: string, context: ConnectorContext): Promise<{ rows: number; result: ResultSetHeader }> {
  await mkdir(context.tempDir, { recursive: true });
  const fifo = path.join(context.tempDir, `mysql-load-${randomBytes(6).toString('hex')}.pipe`);
  await execFileAsync('mkfifo', ['-m', '600', fifo]);
  let reader: Socket | undefined;
  let hold: number | undefined;
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(context.signal.reason);
  context.signal.addEventListener('abort', onAbort, { once: true });
  try {
    reader = new Socket({ fd: openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK), readable: true, writable: false });
    hold = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    const pipe = reader;
    let streaming = false;
    let writeError: unknown;
    const writing = context.session
      .writeCsv(select, fifo, stop.signal)
      .catch((error: unknown) => {
        writeError = error;
        // A stream that fails makes the driver end the load with its error; before the driver has it, end of file will do.
        if (streaming) pipe.destroy(error instanceof Error ? error : new Error(String(error)));
        return 0;
      })
      .finally(() => {
        // The data plane has closed its end: the driver now meets end of file after the last row.
        if (hold !== undefined) closeSync(hold);
        hold = undefined;
      });
    let result: ResultSetHeader | undefined;
    let loadError: unknown;
    try {
      [result] = await conn.query<ResultSetHeader>({ sql, infileStreamFactory: () => ((streaming = true), pipe) });
    } catch (error) {
      loadError = error;
    }
    const endedFirst = hold !== undefined;
    if (endedFirst) {
      // The statement ended before the data plane did: stop it, and drain the pipe so no write waits for a reader.
      stop.abort(new Error('the load ended first'));
      pipe.on('error', () => undefined).resume();
    }
    const rows = await writing;
    if (writeError !== undefined && !endedFirst) {
      if (context.signal.aborted) throw writeError;
      throw new ConnectorError('mysql.write_failed', `reading the input failed: ${String((writeError as Error).message ?? writeError).split('\n')[0]}`, { cause: writeError });
    }
    if (loadError !== undefined) {
      if (refusedErrnos.has(serverErrno(loadError) ?? 0)) throw new LoadDataRefused((loadError as Error).message);
      throw loadError;
    }
    return { rows, result: result! };
  } finally {
    context.signal.removeEventListener('abort', onAbort);
    reader?.destroy();
    if (hold !== undefined) closeSync(hold);
    await rm(fifo, { force: true });
  }
}
