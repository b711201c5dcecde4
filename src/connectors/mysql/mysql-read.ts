import type { FieldPacket } from 'mysql2';
import type { Row } from '../../core/data-plane/data-plane.ts';
import { ConnectorError, SluiceError } from '../../core/errors.ts';
import type { ConnectorContext, ReadResult } from '../../core/connectors/connector.ts';
import type { MysqlDriver } from './mysql-driver.ts';
import { clip, errorText, queryError, serverErrno } from './mysql-errors.ts';
import { readColumnFor, type ReadColumn } from './mysql-types.ts';

/** What to read: a statement, and how to name it in messages. */
export interface ReadSource {
  readonly sql: string;
  readonly label: string;
  /** Reading a whole table, so a missing one gets its own error. */
  readonly table?: boolean;
}

/** Rows the driver may hold before the socket is paused, and rows per batch handed to the data plane. */
const bufferedRows = 2_000;
const batchRows = 5_000;

/**
 * Streams a statement's result into the data plane: the driver pauses the
 * socket while the data plane catches up, so memory stays bounded by a few
 * batches whatever the size. Column types come from the result's metadata.
 */
export async function readMysql(driver: MysqlDriver, source: ReadSource, location: string, context: ConnectorContext): Promise<ReadResult> {
  const conn = await driver.session();
  const query = conn.query({ sql: source.sql.replace(/[\s;]+$/, ''), rowsAsArray: true });
  const stream = query.stream({ highWaterMark: bufferedRows });
  // The batches' iterator reports stream errors; this listener only keeps an unread error from crashing the process.
  stream.on('error', () => undefined);
  let finished = false;
  const abort = (): void => {
    driver.killQuery(conn.threadId);
    stream.destroy(new ConnectorError('mysql.cancelled', `reading ${source.label} was cancelled`));
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
    const fields = await new Promise<FieldPacket[] | undefined>((resolve, reject) => {
      // The query reports a failure before its end, and both before the stream does.
      query.once('error', reject);
      query.once('fields', (f: FieldPacket[] | undefined) => resolve(f));
      query.once('end', () => resolve(undefined));
    }).catch((error: unknown) => {
      throw fail(error);
    });
    if (!fields) {
      throw new ConnectorError('mysql.no_result', `${source.label} returned no result set; a loader or SQL block must end in a query (SELECT, SHOW, ...)`);
    }
    const columns = fields.map(readColumnFor);
    checkUniqueNames(columns, source.label);
    const types = Object.fromEntries(columns.map((c) => [c.name, c.type]));
    const stored = await context.session.storeRows(batches(stream, columns), location, types).catch((error: unknown) => {
      if (error instanceof SluiceError || serverErrno(error) !== undefined || context.signal.aborted) throw fail(error);
      const reason = clip(errorText(error).split('\n')[0]!, 300);
      throw new ConnectorError('mysql.read_failed', `cannot store the rows of ${source.label} from '${driver.name}': ${reason}`, { cause: error });
    });
    finished = true;
    return {
      output: { location: stored.location, rows: stored.rows, columns: stored.columns },
      rowsIn: stored.rows,
      summary: `read ${stored.rows.toLocaleString('en-US')} rows from ${source.label} in '${driver.name}'`,
    };
  } catch (error) {
    if (context.signal.aborted && !(error instanceof SluiceError && error.code === 'mysql.cancelled')) {
      throw new ConnectorError('mysql.cancelled', `reading ${source.label} was cancelled`, { cause: error });
    }
    throw error;
  } finally {
    context.signal.removeEventListener('abort', abort);
    if (finished) conn.release();
    else {
      // Rows may still be in flight: the session cannot be reused.
      driver.killQuery(conn.threadId);
      stream.destroy();
      conn.destroy();
    }
  }
}

async function* batches(stream: AsyncIterable<unknown>, columns: readonly ReadColumn[]): AsyncIterable<Row[]> {
  const width = columns.length;
  let batch: Row[] = [];
  for await (const values of stream) {
    const list = values as unknown[];
    const row: Row = {};
    for (let k = 0; k < width; k++) {
      const column = columns[k]!;
      row[column.name] = column.convert(list[k]);
    }
    batch.push(row);
    if (batch.length >= batchRows) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/** The data plane's identifiers ignore case, so `A` and `a` would collide there. */
function checkUniqueNames(columns: readonly ReadColumn[], label: string): void {
  const seen = new Set<string>();
  for (const { name } of columns) {
    if (seen.has(name.toLowerCase())) {
      throw new ConnectorError('mysql.duplicate_column', `${label} returns more than one column named '${name}' (names are compared ignoring case); give each a distinct alias`);
    }
    seen.add(name.toLowerCase());
  }
}
