import path from 'node:path';
import { z } from 'zod';
import { projectPathSetting } from '../shared/project-path.ts';
import type { DataPlaneSession } from '../../core/data-plane/data-plane.ts';
import { ConnectorError, SluiceError } from '../../core/errors.ts';
import { quoteIdent, quoteLiteral, tableNameParts } from '../../core/sql/quote.ts';
import type { Connector, ConnectorContext, WriteMode } from '../../core/connectors/connector.ts';
import { decimalScale, describeRounded, findRoundedValue } from '../shared/decimal-scale.ts';
import { discoverDuckDb } from './duckdb-discover.ts';
import { findMisfit } from './duckdb-misfit.ts';
import { withDatabase } from './duckdb-attach.ts';
import { openDuckdbSync } from './duckdb-sync.ts';
import { dataPlaneIdentifiers } from '../../core/connectors/identifier-rules.ts';

const connectionSchema = z.object({ path: projectPathSetting() }).strict();
const readSchema = z
  .object({ table: z.string().min(1).optional(), query: z.string().min(1).optional() })
  .strict()
  .refine((s) => (s.table === undefined) !== (s.query === undefined), 'give either table or query');
const writeSchema = z
  .object({
    table: z.string().min(1),
    mode: z.enum(['replace', 'append', 'upsert', 'merge', 'partition']).default('replace'),
    key: z.array(z.string().min(1)).optional(),
    /** For mode partition: the date or time column that places a row in the run's data interval. */
    partition_column: z.string().min(1).optional(),
  })
  .strict()
  .refine((s) => s.mode !== 'partition' || s.partition_column !== undefined, {
    message: "mode partition needs partition_column: the date or time column that places a row in the run's interval",
    path: ['partition_column'],
  })
  .refine((s) => (s.mode !== 'upsert' && s.mode !== 'merge') || (s.key?.length ?? 0) > 0, { message: 'upsert and merge need a key (a list of columns)', path: ['key'] });

type WriteSettings = z.output<typeof writeSchema>;

/**
 * A DuckDB database file, the project's embedded warehouse by default. The
 * file is attached only for the moment of a read or write: DuckDB allows one
 * writing process per file, so holding it would block every other run.
 */
export const duckdbConnector: Connector<z.output<typeof connectionSchema>, z.output<typeof readSchema>, WriteSettings> = {
  kind: 'duckdb',
  description: 'A DuckDB database file (the embedded warehouse)',
  capabilities: {
    read: true,
    write: ['replace', 'append', 'upsert', 'merge', 'partition'],
    sql: true,
    needsConnection: true,
    transactions: true,
    // The data plane attaches the file for a moment; a sync cannot read batches from it meanwhile.
    syncSource: 'none',
    syncDestination: 'changes',
    changeCapture: false,
    upsert: 'delete_insert',
    bulkPath: 'attach',
  },
  identifiers: dataPlaneIdentifiers,
  syncDestination: openDuckdbSync,
  connectionSchema,
  readSchema,
  writeSchema,
  async connect(settings, { name, projectRoot }) {
    const file = path.resolve(projectRoot, settings.path);
    const shown = path.relative(projectRoot, file) || file;
    return {
      async read({ settings: read, location }, context) {
        return withDatabase(context.session, file, async (alias) => {
          const sql = read.table ? `SELECT * FROM ${qualified(alias, read.table)}` : `SELECT * FROM (${read.query})`;
          const output = await usingCatalog(context.session, alias, read.query !== undefined, () => context.session.storeQuery(sql, location, context.signal)).catch((error: unknown) => {
            throw readError(error, read.table ?? 'the query', name, shown);
          });
          return { output, summary: `read ${output.rows.toLocaleString('en-US')} rows from ${shown}` };
        });
      },
      async runSql(sql, location, context) {
        return withDatabase(context.session, file, async (alias) => {
          const output = await usingCatalog(context.session, alias, true, () => context.session.storeQuery(sql, location, context.signal));
          return { output, summary: `ran in ${shown}` };
        });
      },
      async write({ settings: write, input, interval }, context) {
        return withDatabase(context.session, file, (alias) => writeTable(alias, write, input, context, shown, interval));
      },
      async discover(request, context) {
        return withDatabase(context.session, file, (alias) => discoverDuckDb(context.session, alias, request.schema ?? 'main'));
      },
      async close() {},
    };
  },
};

async function writeTable(
  alias: string,
  settings: WriteSettings,
  input: { table: string; columns: readonly { name: string; type: string }[]; rows: number },
  context: ConnectorContext,
  shown: string,
  interval?: { start: string; end: string },
): Promise<{ rows: number; summary: string }> {
  const { session } = context;
  const target = qualified(alias, settings.table);
  const source = quoteIdent(input.table);
  const exists = await tableExists(session, alias, settings.table);
  if (exists && settings.mode !== 'replace') {
    await checkColumns(session, target, settings.table, input.columns);
    const scales = new Map((await session.describe(`SELECT * FROM ${target}`)).map((c) => [c.name, decimalScale(c.type)]));
    const rounded = await findRoundedValue(session, input.table, input.columns, (name) => scales.get(name));
    if (rounded) throw new SluiceError('duckdb.value_rejected', `writing ${settings.table} in ${shown} failed: ${describeRounded(rounded)}`);
  }
  const keys = (settings.key ?? []).map(quoteIdent);
  const statements: Record<WriteMode, () => string[]> = {
    replace: () => [`CREATE OR REPLACE TABLE ${target} AS SELECT * FROM ${source}`],
    append: () => (exists ? [`INSERT INTO ${target} BY NAME SELECT * FROM ${source}`] : [`CREATE TABLE ${target} AS SELECT * FROM ${source}`]),
    upsert: () => mergeStatements(exists, target, source, keys),
    merge: () => mergeStatements(exists, target, source, keys),
    partition: () => {
      const column = quoteIdent(settings.partition_column!);
      const range = `${column} >= ${quoteLiteral(interval!.start)} AND ${column} < ${quoteLiteral(interval!.end)}`;
      if (!exists) return [`CREATE TABLE ${target} AS SELECT * FROM ${source}`];
      return [`DELETE FROM ${target} WHERE ${range}`, `INSERT INTO ${target} BY NAME SELECT * FROM ${source}`];
    },
  };
  if (settings.mode === 'partition') await checkPartition(session, source, settings.partition_column!, input.columns, interval, settings.table);
  if ((settings.mode === 'upsert' || settings.mode === 'merge') && keys.length) {
    const dupes = await session.query(`SELECT count(*) - count(DISTINCT (${keys.join(', ')})) AS n FROM ${source}`);
    if (Number(dupes[0]?.n) > 0) {
      throw new SluiceError('duckdb.duplicate_keys', `the input has ${String(dupes[0]?.n)} row(s) with a repeated key (${settings.key!.join(', ')}); ${settings.mode} needs one row per key`, { location: { block: context.block } });
    }
  }
  await session.query('BEGIN TRANSACTION');
  try {
    for (const sql of statements[settings.mode]()) await session.query(sql);
    await session.query('COMMIT');
  } catch (error) {
    await session.query('ROLLBACK').catch(() => undefined);
    const message = (error as Error).message.split('\n')[0]!;
    const misfit = /Conversion Error/i.test(message) ? await findMisfit(session, source, target).catch(() => undefined) : undefined;
    const where = misfit ? `: ${misfit.column} = ${misfit.value.slice(0, 100)} at row ${misfit.row.toLocaleString('en-US')} of the input does not fit ${misfit.type}` : '';
    throw new SluiceError('duckdb.write_failed', `writing ${settings.table} in ${shown} failed${where}: ${message}`, { cause: error });
  }
  const verb = { replace: 'replaced', append: 'appended to', upsert: 'upserted into', merge: 'merged into', partition: `replaced ${interval?.start}..${interval?.end} of` }[settings.mode];
  return { rows: input.rows, summary: `${verb} ${settings.table} in ${shown}: ${input.rows.toLocaleString('en-US')} rows` };
}

/** Partition writes need the run's interval and input rows inside it: a rerun could not remove strays. */
async function checkPartition(
  session: DataPlaneSession,
  source: string,
  column: string,
  columns: readonly { name: string }[],
  interval: { start: string; end: string } | undefined,
  table: string,
): Promise<void> {
  if (!interval) {
    throw new SluiceError('duckdb.partition_needs_interval', `mode partition into ${table} replaces one data interval; run with --date, --backfill or on a schedule`, { kind: 'config' });
  }
  if (!columns.some((c) => c.name === column)) {
    throw new SluiceError('duckdb.partition_column_missing', `partition_column '${column}' is not a column of the input`, { kind: 'config' });
  }
  const col = quoteIdent(column);
  const [row] = await session.query(`SELECT count(*) AS n FROM ${source} WHERE ${col} IS NULL OR NOT (${col} >= $1 AND ${col} < $2)`, [interval.start, interval.end]);
  if (Number(row?.n) > 0) {
    throw new SluiceError('duckdb.rows_outside_partition', `${String(row?.n)} input row(s) have ${column} outside the run's interval [${interval.start}, ${interval.end}); filter the input to the interval`);
  }
}

function mergeStatements(exists: boolean, target: string, source: string, keys: string[]): string[] {
  if (!exists) return [`CREATE TABLE ${target} AS SELECT * FROM ${source}`];
  return [
    `DELETE FROM ${target} WHERE (${keys.join(', ')}) IN (SELECT (${keys.join(', ')}) FROM ${source})`,
    `INSERT INTO ${target} BY NAME SELECT * FROM ${source}`,
  ];
}

async function checkColumns(session: DataPlaneSession, target: string, shownTable: string, input: readonly { name: string }[]): Promise<void> {
  const existing = (await session.describe(`SELECT * FROM ${target}`)).map((c) => c.name);
  const incoming = input.map((c) => c.name);
  const missing = existing.filter((c) => !incoming.includes(c));
  const extra = incoming.filter((c) => !existing.includes(c));
  if (missing.length || extra.length) {
    throw new SluiceError(
      'duckdb.columns_mismatch',
      `the columns of ${shownTable} do not match the input:${extra.length ? ` not in the table: ${extra.join(', ')};` : ''}${missing.length ? ` not in the input: ${missing.join(', ')};` : ''} use mode replace to redefine the table`,
    );
  }
}

async function tableExists(session: DataPlaneSession, alias: string, table: string): Promise<boolean> {
  const parts = tableNameParts(table);
  const [schema, name] = [parts.qualifier ?? 'main', parts.name];
  const rows = await session.query(
    `SELECT 1 FROM information_schema.tables WHERE table_catalog = $1 AND table_schema = $2 AND table_name = $3`,
    [alias, schema, name],
  );
  return rows.length > 0;
}

function qualified(alias: string, table: string): string {
  const parts = tableNameParts(table);
  return `${quoteIdent(alias)}.${parts.qualifier !== undefined ? `${quoteIdent(parts.qualifier)}.` : ''}${quoteIdent(parts.name)}`;
}

/** A read failure naming the table and connection; a missing table gets its own code. */
function readError(error: unknown, what: string, connection: string, shown: string): SluiceError {
  if (error instanceof SluiceError) return error;
  const message = (error as Error).message.split('\n')[0]!;
  const missing = /Catalog Error: Table with name/i.test(message);
  return new ConnectorError(missing ? 'duckdb.table_missing' : 'duckdb.read_failed', `cannot read ${what} from '${connection}' (${shown}): ${message}`, { cause: error });
}

/** Unqualified names in user SQL resolve in the attached database while it runs. */
async function usingCatalog<T>(session: DataPlaneSession, alias: string, enabled: boolean, work: () => Promise<T>): Promise<T> {
  return enabled ? session.withDatabaseInScope(alias, work) : work();
}
