import path from 'node:path';
import { quoteIdent } from '../core/sql/quote.ts';
import type { CdcDestination } from './cdc-destination.ts';
import type { CdcValue } from './cdc-values.ts';
import { createSqlDestination, type BulkStager, type CdcDialect } from './sql-destination.ts';
import type { SourceColumn } from './source-tables.ts';

function duckdbType(c: SourceColumn): string {
  const t = c.type;
  const simple: Record<string, string> = {
    smallint: 'SMALLINT',
    integer: 'INTEGER',
    bigint: 'BIGINT',
    real: 'FLOAT',
    'double precision': 'DOUBLE',
    boolean: 'BOOLEAN',
    date: 'DATE',
    uuid: 'UUID',
  };
  if (simple[t]) return simple[t];
  const numeric = /^numeric\((\d+),(\d+)\)$/.exec(t);
  if (numeric) return Number(numeric[1]) <= 38 ? `DECIMAL(${numeric[1]},${numeric[2]})` : 'VARCHAR';
  if (/^timestamp(\(\d\))? with time zone$/.test(t)) return 'TIMESTAMPTZ';
  if (/^timestamp(\(\d\))? without time zone$/.test(t)) return 'TIMESTAMP';
  // Unconstrained numeric, JSON and the rest keep the source's exact text.
  return 'VARCHAR';
}

export const duckdbDialect: CdcDialect = {
  kind: 'duckdb',
  quote: quoteIdent,
  placeholder: (i, c) => `CAST($${i} AS ${c ? duckdbType(c) : 'VARCHAR'})`,
  columnType: duckdbType,
  bind: (v: CdcValue) => (typeof v === 'bigint' ? v.toString() : typeof v === 'boolean' ? String(v) : typeof v === 'number' ? String(v) : v),
  maxParams: 20_000,
  // Without an index DuckDB deletes and re-inserts a key in one transaction freely; scans are fast enough for the keyed deletes.
  primaryKey: false,
  transactionalDdl: true,
  stateTableDdl: (t) => `CREATE TABLE IF NOT EXISTS ${t} (pipeline VARCHAR NOT NULL, stream VARCHAR NOT NULL, state JSON NOT NULL, updated_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (pipeline, stream))`,
  now: 'now()',
  jsonText: (c) => `CAST(${quoteIdent(c)} AS VARCHAR)`,
  isoText: (c) => `strftime(timezone('UTC', ${quoteIdent(c)}), '%Y-%m-%dT%H:%M:%S.%fZ')`,
};

export async function openDuckdbDestination(file: string, name: string): Promise<CdcDestination> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  // Its own instance, closed with the destination: a cached one would keep the file locked against the data plane.
  const instance = await DuckDBInstance.create(path.resolve(file));
  const connection = await instance.connect();
  let stages = 0;
  const session = {
    run: async (sql: string, params?: readonly unknown[]) => {
      const reader = await connection.runAndReadAll(sql, (params ?? []) as never);
      return reader.getRowObjectsJS() as Record<string, unknown>[];
    },
    close: async () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
  // Parameterised multi-row statements crawl in DuckDB; its appender fills a staging table at memory speed.
  const bulk: BulkStager = {
    async stage(columns, rows) {
      const table = `_sluice_cdc_stage_${++stages}`;
      await session.run(`CREATE TEMP TABLE ${quoteIdent(table)} (${columns.map((c) => `${quoteIdent(c)} VARCHAR`).join(', ')})`);
      const appender = await connection.createAppender(table, 'main', 'temp');
      for (const row of rows) {
        for (const value of row) {
          if (value === null) appender.appendNull();
          else appender.appendVarchar(value);
        }
        appender.endRow();
      }
      appender.flushSync();
      appender.closeSync();
      return `temp.main.${quoteIdent(table)}`;
    },
  };
  return createSqlDestination(`connection '${name}' (duckdb)`, duckdbDialect, session, bulk);
}
