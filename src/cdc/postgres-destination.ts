import type { PostgresConnectionSettings } from '../connectors/postgres/index.ts';
import { quoteIdent } from '../core/sql/quote.ts';
import type { CdcDestination } from './cdc-destination.ts';
import type { CdcValue } from './cdc-values.ts';
import { pgClientConfig } from './pg-client-config.ts';
import { createSqlDestination, type CdcDialect } from './sql-destination.ts';
import type { SourceColumn } from './source-tables.ts';

/** Built-in types a PostgreSQL destination takes exactly as the source spells them. */
const builtin = /^(smallint|integer|bigint|real|double precision|numeric(\(\d+,\d+\))?|boolean|text|character varying(\(\d+\))?|character(\(\d+\))?|json|jsonb|date|uuid|bytea|timestamp(\(\d\))? with(out)? time zone|time(\(\d\))? with(out)? time zone|interval)$/;

export const postgresDialect: CdcDialect = {
  kind: 'postgres',
  quote: quoteIdent,
  placeholder: (i) => `$${i}`,
  columnType: (c: SourceColumn) => (builtin.test(c.type) ? c.type : 'text'),
  bind: (v: CdcValue) => (typeof v === 'bigint' ? v.toString() : v),
  maxParams: 30_000,
  primaryKey: true,
  transactionalDdl: true,
  stateTableDdl: (t) => `CREATE TABLE IF NOT EXISTS ${t} (pipeline text NOT NULL, stream text NOT NULL, state jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (pipeline, stream))`,
  now: 'now()',
  jsonText: (c) => `${quoteIdent(c)}::text`,
  isoText: (c) => `to_char(${quoteIdent(c)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
};

export async function openPostgresDestination(settings: PostgresConnectionSettings, name: string): Promise<CdcDestination> {
  const pg = await import('pg');
  const { config } = pgClientConfig(settings);
  const client = new pg.Client({ ...config, application_name: 'sluice-cdc-apply' });
  client.on('error', () => undefined);
  await client.connect();
  await client.query(`SET search_path TO ${quoteIdent(settings.schema)}`);
  return createSqlDestination(`connection '${name}' (postgres)`, postgresDialect, {
    // Text in, text out: state and values are compared as the database returned them.
    run: async (sql, params) => (await client.query({ text: sql, values: params as unknown[] })).rows as Record<string, unknown>[],
    close: () => client.end(),
  });
}
