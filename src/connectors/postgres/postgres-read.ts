import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ClientBase } from 'pg';
import type { Column } from '../../core/data-plane/data-plane.ts';
import { ConnectorError, SluiceError } from '../../core/errors.ts';
import { quoteIdent } from '../../core/sql/quote.ts';
import type { ConnectorContext, ReadResult } from '../../core/connectors/connector.ts';
import { checkUniqueColumnNames, storeServerCsv } from '../shared/store-server-csv.ts';
import type { TableRef } from './postgres-catalog.ts';
import type { PostgresDriver } from './postgres-driver.ts';
import { isServerError, queryError } from './postgres-errors.ts';
import { duckTypeForPostgres, postgresReadExpression, type PostgresFieldType } from './postgres-types.ts';

/** What to read: a query, and how to name it in messages. */
export interface ReadSource {
  readonly sql: string;
  readonly label: string;
  /** Set when reading a whole table, so a missing one gets its own error. */
  readonly table?: TableRef;
  /** The SQL is the user's: positions in errors map to its lines. */
  readonly userSql?: boolean;
}


/**
 * Reads a query's result into the data plane: `COPY (query) TO STDOUT` streams
 * CSV to a scratch file (memory stays flat whatever the size), which the data
 * plane's CSV reader stores with every column's type given, never guessed.
 */
export async function readPostgres(driver: PostgresDriver, source: ReadSource, location: string, context: ConnectorContext): Promise<ReadResult> {
  const body = stripTrailingSemicolons(source.sql);
  await mkdir(context.tempDir, { recursive: true });
  const client = await driver.session();
  const stopWatching = driver.cancelOnAbort(client, context.signal);
  let broken = false;
  const file = path.join(context.tempDir, `postgres-read-${randomUUID()}.csv`);
  try {
    const fail = (error: unknown, prefix: string, offset: number): SluiceError => {
      if (source.table && isServerError(error) && error.code === '42P01') {
        return new ConnectorError('postgres.table_missing', `${source.table.label} does not exist in '${driver.name}'`, { cause: error });
      }
      return queryError('postgres.read_failed', prefix, error, {
        block: context.block,
        ...(source.userSql ? { sql: body, offset } : {}),
      });
    };
    // Fixed output settings make the text forms exactly what the data plane parses, whatever the server's defaults.
    await client.query('BEGIN');
    await client.query("SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL IntervalStyle = 'postgres'; SET LOCAL extra_float_digits = 3");

    const describePrefix = 'SELECT * FROM (\n';
    const described = await client.query(`${describePrefix}${body}\n) AS q LIMIT 0`).catch((error: unknown) => {
      throw fail(error, `cannot read ${source.label} from '${driver.name}'`, describePrefix.length);
    });
    const fields = described.fields.map((f) => ({ name: f.name, oid: f.dataTypeID, typmod: f.dataTypeModifier }));
    checkUniqueColumnNames('postgres', fields.map((f) => f.name), source.label);
    const types = await resolveTypes(client, fields);
    const columns: Column[] = fields.map((f, k) => ({ name: f.name, type: duckTypeForPostgres(types[k]!) }));
    const select = fields.map((f, k) => `${postgresReadExpression(quoteIdent(f.name), types[k]!)} AS ${quoteIdent(f.name)}`).join(', ');

    const copyPrefix = `COPY (SELECT ${select} FROM (\n`;
    const copy = driver.copyTo(`${copyPrefix}${body}\n) AS q) TO STDOUT (FORMAT csv, HEADER false)`);
    const abort = (): void => void copy.destroy(new ConnectorError('postgres.cancelled', `reading ${source.label} was cancelled`));
    context.signal.addEventListener('abort', abort, { once: true });
    try {
      await pipeline(client.query(copy), createWriteStream(file));
    } catch (error) {
      broken = true;
      throw fail(error, `cannot read ${source.label} from '${driver.name}'`, copyPrefix.length);
    } finally {
      context.signal.removeEventListener('abort', abort);
    }
    await client.query('COMMIT');

    // COPY's completion reports the rows it sent; the data plane must store as many.
    return await storeServerCsv({ kind: 'postgres', label: source.table ? source.table.label : source.label, connection: driver.name, file, columns, rows: copy.rowCount, location }, context);
  } catch (error) {
    if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
    if (context.signal.aborted && !(error instanceof SluiceError && error.code === 'postgres.cancelled')) {
      throw new ConnectorError('postgres.cancelled', `reading ${source.label} was cancelled`, { cause: error });
    }
    throw error;
  } finally {
    stopWatching();
    client.release(broken);
    await rm(file, { force: true });
  }
}

function stripTrailingSemicolons(sql: string): string {
  return sql.replace(/[\s;]+$/, '');
}


interface TypeRow {
  oid: number;
  typtype: string;
  base: number;
  basetypmod: number;
}

/** Field types with domains replaced by their base types. */
async function resolveTypes(client: ClientBase, fields: readonly { oid: number; typmod: number }[]): Promise<PostgresFieldType[]> {
  const known = new Map<number, TypeRow>();
  let wanted = [...new Set(fields.map((f) => f.oid))];
  while (wanted.length) {
    const result = await client.query<TypeRow>(
      `SELECT oid::int AS oid, typtype, typbasetype::int AS base, typtypmod AS basetypmod
         FROM pg_type WHERE oid = ANY($1::oid[])`,
      [wanted],
    );
    for (const row of result.rows) known.set(row.oid, row);
    wanted = result.rows.filter((r) => r.typtype === 'd' && !known.has(r.base)).map((r) => r.base);
  }
  return fields.map((field) => {
    let { oid, typmod } = field;
    for (let row = known.get(oid); row?.typtype === 'd'; row = known.get(oid)) {
      typmod = row.basetypmod;
      oid = row.base;
    }
    return { oid, typmod };
  });
}
