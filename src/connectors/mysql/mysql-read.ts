import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { FieldPacket, PoolConnection, Query } from 'mysql2';
import { ConnectorError, SluiceError } from '../../core/errors.ts';
import type { ConnectorContext, ReadResult } from '../../core/connectors/connector.ts';
import { checkUniqueColumnNames, storeServerCsv } from '../shared/store-server-csv.ts';
import type { MysqlDriver } from './mysql-driver.ts';
import { queryError, serverErrno } from './mysql-errors.ts';
import { MysqlCsvWriter, type RawValue } from './mysql-csv.ts';
import { readColumnFor, type ReadColumn } from './mysql-types.ts';

/** What to read: a statement, and how to name it in messages. */
export interface ReadSource {
  readonly sql: string;
  readonly label: string;
  /** Reading a whole table, so a missing one gets its own error. */
  readonly table?: boolean;
}

const rawBytes = (field: { string(encoding: string): string | null }): string | null => field.string('latin1');


/**
 * Reads a statement's result into the data plane: the values' bytes go
 * straight into CSV in a scratch file (see mysql-csv.ts), which the data
 * plane's CSV reader stores with every column's type given by the result's
 * metadata, never guessed. The socket is paused while the file catches up,
 * so memory stays bounded whatever the size.
 */
export async function readMysql(driver: MysqlDriver, source: ReadSource, location: string, context: ConnectorContext): Promise<ReadResult> {
  await mkdir(context.tempDir, { recursive: true });
  const file = path.join(context.tempDir, `mysql-read-${randomUUID()}.csv`);
  const conn = await driver.session();
  // Untyped values: each arrives as the bytes the server sent, which the CSV writer copies.
  // (A function, as the connection's own cast function would take the place of `typeCast: false`.)
  const query = conn.query({ sql: source.sql.replace(/[\s;]+$/, ''), rowsAsArray: true, typeCast: rawBytes });
  let released = false;
  let cancel: (() => void) | undefined;
  const abort = (): void => {
    // Once released, the session may run someone else's query; the data plane's load stops on the signal itself.
    if (released) return;
    driver.killQuery(conn.threadId);
    cancel?.();
  };
  context.signal.addEventListener('abort', abort, { once: true });
  const fail = (error: unknown): SluiceError => {
    if (error instanceof SluiceError) return error;
    if (source.table && serverErrno(error) === 1146) {
      return new ConnectorError('mysql.table_missing', `${source.label} does not exist in '${driver.name}'`, { cause: error });
    }
    return queryError('mysql.read_failed', `cannot read ${source.label} from '${driver.name}'`, error, context.block);
  };
  try {
    const { columns, rows } = await readToFile(conn, query, source.label, file, (stop) => {
      cancel = () => stop(new ConnectorError('mysql.cancelled', `reading ${source.label} was cancelled`));
      if (context.signal.aborted) cancel();
    }).catch((error: unknown) => {
      throw fail(error);
    });
    // The data plane's load needs nothing more from the server: the session goes back to the pool now.
    conn.release();
    released = true;
    return await storeServerCsv({ kind: 'mysql', label: source.label, connection: driver.name, file, columns, rows, location }, context);
  } catch (error) {
    if (context.signal.aborted && !(error instanceof SluiceError && error.code === 'mysql.cancelled')) {
      throw new ConnectorError('mysql.cancelled', `reading ${source.label} was cancelled`, { cause: error });
    }
    throw error;
  } finally {
    context.signal.removeEventListener('abort', abort);
    if (!released) {
      // Rows may still be in flight: the session cannot be reused.
      driver.killQuery(conn.threadId);
      conn.destroy();
    }
    await rm(file, { force: true });
  }
}

/**
 * Copies the result's rows into `file`; resolves with the columns and the row
 * count once the query has ended and the file is closed. Everything is wired
 * when the query starts: the driver emits the first rows right after the
 * columns, in the same tick. The socket is paused while the file's buffer is
 * full. `onStop` receives the function that abandons the read.
 */
function readToFile(
  conn: PoolConnection,
  query: Query,
  label: string,
  file: string,
  onStop: (stop: (error: Error) => void) => void,
): Promise<{ columns: ReadColumn[]; rows: number }> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(file);
    let columns: ReadColumn[] | undefined;
    let writer: MysqlCsvWriter | undefined;
    let failed = false;
    let ended = false;
    const stop = (error: unknown): void => {
      if (failed) return;
      failed = true;
      out.destroy();
      reject(error);
    };
    const emit = (chunk: Buffer): void => {
      // After the end there is nothing left to hold back, and a paused session must not go back to the pool.
      if (!out.write(chunk) && !ended) {
        conn.pause();
        out.once('drain', () => conn.resume());
      }
    };
    out.on('error', stop);
    query.on('error', stop);
    query.once('fields', (fields: FieldPacket[] | undefined) => {
      if (!fields) return;
      try {
        columns = fields.map(readColumnFor);
        checkUniqueColumnNames('mysql', columns.map((c) => c.name), label);
        writer = new MysqlCsvWriter(columns.map((c) => c.kind), emit);
      } catch (error) {
        stop(error);
      }
    });
    // Only the first result set is read, as only its columns are known.
    query.on('result', (row: unknown, index?: number) => {
      if (!failed && !index) writer?.row(row as RawValue[]);
    });
    query.once('end', () => {
      if (failed) return;
      if (!columns || !writer) {
        stop(new ConnectorError('mysql.no_result', `${label} returned no result set; a loader or SQL block must end in a query (SELECT, SHOW, ...)`));
        return;
      }
      const done = { columns, rows: writer.rows };
      ended = true;
      writer.finish();
      out.end(() => resolve(done));
    });
    onStop(stop);
  });
}

