import path from 'node:path';
import { z } from 'zod';
import { projectPathSetting } from '../shared/project-path.ts';
import type { Column, DataPlaneSession } from '../../core/data-plane/data-plane.ts';
import { ConnectorError, SluiceError } from '../../core/errors.ts';
import { quoteIdent, tableNameParts } from '../../core/sql/quote.ts';
import {
  syncStateTable,
  type DestinationTableShape,
  type OpenSyncDestination,
  type StoredStreamState,
  type StreamState,
  type SyncBatch,
  type SyncBatchResult,
  type SyncChangeSet,
  type SyncInput,
  type SyncDestination,
  type SyncTable,
  type TableAlteration,
} from '../../core/connectors/sync-destination.ts';
import { checkPreviousState } from '../../core/connectors/check-previous-state.ts';
import { withDatabase } from './duckdb-attach.ts';

const connectionSchema = z.object({ path: projectPathSetting() }).strict();

/**
 * A DuckDB file (the embedded warehouse) as a sync destination. The file is
 * attached to the run's data-plane session for each operation, as the
 * exporter does, and each batch is one DuckDB transaction with its state.
 * Tables carry no primary key: DuckDB checks keys eagerly inside a
 * transaction, which would refuse the delete-then-insert an upsert does.
 */
export const openDuckdbSync: OpenSyncDestination = async (raw, context) => {
  const settings = connectionSchema.parse(raw);
  const file = path.resolve(context.projectRoot, settings.path);
  return new DuckdbSyncDestination(context.name, file, context.session);
};

class DuckdbSyncDestination implements SyncDestination {
  constructor(
    readonly name: string,
    private readonly file: string,
    private readonly session: DataPlaneSession,
  ) {}

  async prepare(): Promise<void> {
    await this.on('creating the sync state table', (db) =>
      this.session.query(
        `CREATE TABLE IF NOT EXISTS ${db}.main.${quoteIdent(syncStateTable)} (pipeline VARCHAR NOT NULL, stream VARCHAR NOT NULL, state JSON NOT NULL, updated_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (pipeline, stream))`,
      ),
    );
  }

  async readState(pipeline: string, stream?: string): Promise<StoredStreamState[]> {
    return this.on('reading the sync state', async (db, alias) => {
      if (!(await this.exists(alias, 'main', syncStateTable))) return [];
      const rows = await this.session.query(
        `SELECT pipeline, stream, CAST(state AS VARCHAR) AS state, strftime(timezone('UTC', updated_at), '%Y-%m-%dT%H:%M:%S.%fZ') AS updated_at
           FROM ${db}.main.${quoteIdent(syncStateTable)} WHERE pipeline = $1 AND ($2 IS NULL OR stream = $2) ORDER BY stream`,
        [pipeline, stream ?? null],
      );
      return rows.map((r) => ({ pipeline: String(r.pipeline), stream: String(r.stream), state: JSON.parse(String(r.state)) as Record<string, unknown>, updatedAt: String(r.updated_at) }));
    });
  }

  async resetState(pipeline: string, stream?: string): Promise<number> {
    const found = await this.readState(pipeline, stream);
    if (!found.length) return 0;
    await this.on('resetting the sync state', (db) =>
      this.session.query(`DELETE FROM ${db}.main.${quoteIdent(syncStateTable)} WHERE pipeline = $1 AND ($2 IS NULL OR stream = $2)`, [pipeline, stream ?? null]),
    );
    return found.length;
  }

  async describeTable(table: SyncTable): Promise<DestinationTableShape | undefined> {
    const [schema, name] = parts(table);
    return this.on(`describing ${table.name}`, async (_db, alias) => {
      const rows = await this.session.query(
        `SELECT column_name AS name, data_type AS type, is_nullable AS nullable FROM information_schema.columns
          WHERE table_catalog = $1 AND table_schema = $2 AND table_name = $3 ORDER BY ordinal_position`,
        [alias, schema, name],
      );
      if (!rows.length) return undefined;
      return { columns: rows.map((r) => ({ name: String(r.name), nativeType: String(r.type), type: String(r.type), nullable: r.nullable === 'YES' })), key: [] };
    });
  }

  async createTable(table: SyncTable, columns: readonly Column[]): Promise<void> {
    const [schema] = parts(table);
    await this.on(`creating ${table.name}`, async (db) => {
      await this.session.query(`CREATE SCHEMA IF NOT EXISTS ${db}.${quoteIdent(schema)}`);
      await this.session.query(`CREATE TABLE IF NOT EXISTS ${ref(db, table)} (${columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`);
    });
  }

  async alterTable(table: SyncTable, change: TableAlteration): Promise<void> {
    const column = quoteIdent(change.column);
    await this.on(`changing ${table.name} (${change.kind} ${change.column} ${change.type})`, (db) =>
      this.session.query(
        change.kind === 'add_column'
          ? `ALTER TABLE ${ref(db, table)} ADD COLUMN IF NOT EXISTS ${column} ${change.type}`
          : `ALTER TABLE ${ref(db, table)} ALTER COLUMN ${column} SET DATA TYPE ${change.type}`,
      ),
    );
  }

  async applyBatch(batch: SyncBatch): Promise<SyncBatchResult> {
    const session = this.session;
    return this.on(`writing a batch of stream '${batch.stream}' into ${batch.table.name}`, async (db) => {
      const target = ref(db, batch.table);
      const insert = async (input: { table: string; columns: readonly Column[] }): Promise<number> => {
        const list = input.columns.map((c) => quoteIdent(c.name)).join(', ');
        const rows = await session.query(`INSERT INTO ${target} (${list}) SELECT ${list} FROM ${quoteIdent(input.table)}`);
        return Number(rows[0]?.Count ?? rows[0]?.count ?? 0);
      };
      await session.query('BEGIN TRANSACTION');
      try {
        const [current] = await session.query(`SELECT CAST(state AS VARCHAR) AS state FROM ${db}.main.${quoteIdent(syncStateTable)} WHERE pipeline = $1 AND stream = $2`, [batch.pipeline, batch.stream]);
        checkPreviousState(batch, current && (JSON.parse(String(current.state)) as StreamState), this.name);
        let result: SyncBatchResult = { rows: 0, deleted: 0 };
        const change = batch.change;
        switch (change.kind) {
          case 'append':
            result = { rows: await insert(change.input), deleted: 0 };
            break;
          case 'replace':
            await session.query(`DELETE FROM ${target}`);
            result = { rows: await insert(change.input), deleted: 0 };
            break;
          case 'upsert': {
            const keyList = change.key.map(quoteIdent).join(', ');
            let deleted = 0;
            for (const from of [change.deletes, change.input]) {
              if (!from?.rows) continue;
              const gone = await session.query(`DELETE FROM ${target} WHERE (${keyList}) IN (SELECT (${keyList}) FROM ${quoteIdent(from.table)})`);
              if (from === change.deletes) deleted = Number(gone[0]?.Count ?? gone[0]?.count ?? 0);
            }
            result = { rows: change.input?.rows ? await insert(change.input) : 0, deleted };
            break;
          }
          case 'state_only':
            break;
        }
        await this.writeState(db, batch.pipeline, batch.stream, batch.state);
        await session.query('COMMIT');
        return result;
      } catch (error) {
        await session.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  async applyChanges(changes: SyncChangeSet): Promise<SyncBatchResult> {
    const session = this.session;
    const count = (rows: Record<string, unknown>[]): number => Number(rows[0]?.Count ?? rows[0]?.count ?? 0);
    const streams = changes.tables.map((t) => t.stream).join(', ');
    return this.on(`applying changes of stream${changes.tables.length === 1 ? '' : 's'} ${streams}`, async (db) => {
      const list = (input: SyncInput): string => input.columns.map((c) => quoteIdent(c.name)).join(', ');
      await session.query('BEGIN TRANSACTION');
      try {
        let rows = 0;
        let deleted = 0;
        for (const t of changes.tables) {
          const target = ref(db, t.table);
          const keyList = t.key.map(quoteIdent).join(', ');
          if (t.replace) await session.query(`DELETE FROM ${target}`);
          else {
            // Keys are unique within the changes, so removing every touched full row first makes the insert an upsert.
            for (const from of [t.deletes, t.upserts]) {
              if (!from?.rows) continue;
              const gone = await session.query(`DELETE FROM ${target} WHERE (${keyList}) IN (SELECT (${keyList}) FROM ${quoteIdent(from.table)})`);
              if (from === t.deletes) deleted += count(gone);
            }
          }
          if (t.upserts?.rows) rows += count(await session.query(`INSERT INTO ${target} (${list(t.upserts)}) SELECT ${list(t.upserts)} FROM ${quoteIdent(t.upserts.table)}`));
          for (const input of t.partialUpdates ?? []) {
            const set = input.columns.filter((c) => !t.key.includes(c.name)).map((c) => `${quoteIdent(c.name)} = s.${quoteIdent(c.name)}`);
            if (!input.rows || !set.length) continue;
            const match = t.key.map((k) => `t.${quoteIdent(k)} = s.${quoteIdent(k)}`).join(' AND ');
            rows += count(await session.query(`UPDATE ${target} AS t SET ${set.join(', ')} FROM ${quoteIdent(input.table)} AS s WHERE ${match}`));
          }
          await this.writeState(db, changes.pipeline, t.stream, t.state);
        }
        await session.query('COMMIT');
        return { rows, deleted };
      } catch (error) {
        await session.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  private async writeState(db: string, pipeline: string, stream: string, state: StreamState): Promise<void> {
    await this.session.query(
      `INSERT INTO ${db}.main.${quoteIdent(syncStateTable)} (pipeline, stream, state, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (pipeline, stream) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
      [pipeline, stream, JSON.stringify(state)],
    );
  }

  async close(): Promise<void> {}

  private async exists(alias: string, schema: string, name: string): Promise<boolean> {
    const rows = await this.session.query(`SELECT 1 FROM information_schema.tables WHERE table_catalog = $1 AND table_schema = $2 AND table_name = $3`, [alias, schema, name]);
    return rows.length > 0;
  }

  /** Runs `work` with the file attached; `db` is the quoted alias. */
  private async on<T>(what: string, work: (db: string, alias: string) => Promise<T>): Promise<T> {
    try {
      return await withDatabase(this.session, this.file, (alias) => work(quoteIdent(alias), alias));
    } catch (error) {
      if (error instanceof SluiceError) throw error;
      throw new ConnectorError('duckdb.sync_failed', `${what} in '${this.name}' failed: ${(error as Error).message.split('\n')[0]}`, { cause: error });
    }
  }
}

function parts(table: SyncTable): [string, string] {
  const split = tableNameParts(table.name);
  return [split.qualifier ?? 'main', split.name];
}

function ref(db: string, table: SyncTable): string {
  const [schema, name] = parts(table);
  return `${db}.${quoteIdent(schema)}.${quoteIdent(name)}`;
}
