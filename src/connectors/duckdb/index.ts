import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { DataPlaneSession } from '../../core/data-plane/data-plane.ts';
import { ConnectorError, SluiceError } from '../../core/errors.ts';
import { quoteIdent, quoteQualified, splitQualified } from '../../core/sql/quote.ts';
import type { Connector, ConnectorContext, WriteMode } from '../../core/connectors/connector.ts';

const connectionSchema = z.object({ path: z.string().min(1) }).strict();
const readSchema = z
  .object({ table: z.string().min(1).optional(), query: z.string().min(1).optional() })
  .strict()
  .refine((s) => (s.table === undefined) !== (s.query === undefined), 'give either table or query');
const writeSchema = z
  .object({
    table: z.string().min(1),
    mode: z.enum(['replace', 'append', 'upsert', 'merge']).default('replace'),
    key: z.array(z.string().min(1)).optional(),
  })
  .strict()
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
  capabilities: { read: true, write: ['replace', 'append', 'upsert', 'merge'], sql: true, needsConnection: true },
  connectionSchema,
  readSchema,
  writeSchema,
  async connect(settings, { projectRoot }) {
    const file = path.resolve(projectRoot, settings.path);
    const shown = path.relative(projectRoot, file) || file;
    return {
      async read({ settings: read, location }, context) {
        return withDatabase(context.session, file, async (alias) => {
          const sql = read.table ? `SELECT * FROM ${qualified(alias, read.table)}` : `SELECT * FROM (${read.query})`;
          const output = await usingCatalog(context.session, alias, read.query !== undefined, () => context.session.storeQuery(sql, location, context.signal));
          return { output, summary: `read ${output.rows.toLocaleString('en-US')} rows from ${shown}` };
        });
      },
      async runSql(sql, location, context) {
        return withDatabase(context.session, file, async (alias) => {
          const output = await usingCatalog(context.session, alias, true, () => context.session.storeQuery(sql, location, context.signal));
          return { output, summary: `ran in ${shown}` };
        });
      },
      async write({ settings: write, input }, context) {
        return withDatabase(context.session, file, (alias) => writeTable(alias, write, input, context, shown));
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
): Promise<{ rows: number; summary: string }> {
  const { session } = context;
  const target = qualified(alias, settings.table);
  const source = quoteIdent(input.table);
  const exists = await tableExists(session, alias, settings.table);
  if (exists && settings.mode !== 'replace') await checkColumns(session, target, settings.table, input.columns);
  const keys = (settings.key ?? []).map(quoteIdent);
  const statements: Record<WriteMode, () => string[]> = {
    replace: () => [`CREATE OR REPLACE TABLE ${target} AS SELECT * FROM ${source}`],
    append: () => (exists ? [`INSERT INTO ${target} BY NAME SELECT * FROM ${source}`] : [`CREATE TABLE ${target} AS SELECT * FROM ${source}`]),
    upsert: () => mergeStatements(exists, target, source, keys),
    merge: () => mergeStatements(exists, target, source, keys),
  };
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
    throw new SluiceError('duckdb.write_failed', `writing ${settings.table} in ${shown} failed: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  const verb = { replace: 'replaced', append: 'appended to', upsert: 'upserted into', merge: 'merged into' }[settings.mode];
  return { rows: input.rows, summary: `${verb} ${settings.table} in ${shown}: ${input.rows.toLocaleString('en-US')} rows` };
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
  const parts = splitQualified(table);
  const [schema, name] = parts.length > 1 ? [parts[0]!, parts.slice(1).join('.')] : ['main', parts[0]!];
  const rows = await session.query(
    `SELECT 1 FROM information_schema.tables WHERE table_catalog = $1 AND table_schema = $2 AND table_name = $3`,
    [alias, schema, name],
  );
  return rows.length > 0;
}

function qualified(alias: string, table: string): string {
  return `${quoteIdent(alias)}.${quoteQualified(table)}`;
}

let aliasCounter = 0;

/** Attaches the file for one operation, waiting while another process holds its lock. */
async function withDatabase<T>(session: DataPlaneSession, file: string, work: (alias: string) => Promise<T>): Promise<T> {
  const alias = `__sluice_db_${++aliasCounter}`;
  const deadline = Date.now() + 60_000;
  for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
    try {
      await session.attachDatabase(file, alias);
      break;
    } catch (error) {
      const message = (error as Error).message;
      if (/lock/i.test(message) && Date.now() < deadline) {
        await sleep(wait);
        continue;
      }
      throw new ConnectorError('duckdb.attach_failed', `cannot open ${file}: ${message.split('\n')[0]}`, { cause: error, retryable: /lock/i.test(message) });
    }
  }
  try {
    return await work(alias);
  } finally {
    await session.detachDatabase(alias);
  }
}

/** Unqualified names in user SQL resolve in the attached database while it runs. */
async function usingCatalog<T>(session: DataPlaneSession, alias: string, enabled: boolean, work: () => Promise<T>): Promise<T> {
  if (!enabled) return work();
  await session.query(`USE ${quoteIdent(alias)}`);
  try {
    return await work();
  } finally {
    await session.query('USE memory');
  }
}
