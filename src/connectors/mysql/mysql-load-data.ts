import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Connection as PromiseConnection, ResultSetHeader } from 'mysql2/promise';
import type { ConnectorContext, WriteRequest } from '../../core/connectors/connector.ts';
import { ConnectorError } from '../../core/errors.ts';
import { quoteIdent } from '../../core/sql/quote.ts';
import type { MysqlWriteSettings } from './mysql-config.ts';
import { serverErrno } from './mysql-errors.ts';
import { quoteMysqlIdent, type MysqlTableRef } from './mysql-names.ts';
import { loadColumnFor } from './mysql-types.ts';

/** The server or the connection refuses LOCAL INFILE: the caller falls back to INSERTs. */
export class LoadDataRefused extends Error {}

/** Server errors that mean LOAD DATA LOCAL is switched off, not that the data is bad. */
const refusedErrnos = new Set([1148, 3948, 3950, 4166]);

/**
 * Loads the input into `into` with LOAD DATA LOCAL INFILE, MySQL's bulk
 * path: the data plane writes the input as CSV to a scratch file, which the
 * driver streams to the server. LOCAL makes the server turn bad values into
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

  await mkdir(context.tempDir, { recursive: true });
  const file = path.join(context.tempDir, `mysql-load-${randomBytes(6).toString('hex')}.csv`);
  try {
    const rows = await context.session.writeCsv(select, file, context.signal);
    let result: ResultSetHeader;
    try {
      [result] = await conn.query<ResultSetHeader>({ sql, infileStreamFactory: () => createReadStream(file) });
    } catch (error) {
      if (refusedErrnos.has(serverErrno(error) ?? 0)) throw new LoadDataRefused((error as Error).message);
      throw error;
    }
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
  } finally {
    await rm(file, { force: true });
  }
}
