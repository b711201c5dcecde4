import type { Database } from 'better-sqlite3';
import type { ConnectorContext } from '../../core/connectors/connector.ts';
import type { Column } from '../../core/data-plane/data-plane.ts';
import { SluiceError } from '../../core/errors.ts';
import { quoteIdent } from '../../core/sql/quote.ts';
import {
  syncStateTable,
  type DestinationTableShape,
  type OpenSyncDestination,
  type StoredStreamState,
  type StreamState,
  type SyncBatch,
  type SyncBatchResult,
  type SyncContext,
  type SyncDestination,
  type SyncInput,
  type SyncTable,
  type TableAlteration,
} from '../../core/connectors/sync-destination.ts';
import { checkPreviousState } from '../../core/connectors/check-previous-state.ts';
import { tableRef, type TableRef } from './sqlite-catalog.ts';
import { sqliteConnectionSchema } from './sqlite-config.ts';
import { createSqliteDriver, type SqliteDriver } from './sqlite-driver.ts';
import { sqliteError } from './sqlite-errors.ts';
import { readTypeFor, writeTypeFor } from './sqlite-types.ts';
import { insertAll } from './sqlite-write.ts';

/**
 * A SQLite file as a sync destination: each batch goes in with the
 * exporter's prepared inserts inside one BEGIN IMMEDIATE transaction,
 * together with the stream's state.
 */
export const openSqliteSync: OpenSyncDestination = async (raw, context) => {
  const settings = sqliteConnectionSchema.parse(raw);
  const { default: Sqlite } = await import('better-sqlite3');
  return new SqliteSyncDestination(createSqliteDriver(Sqlite, settings, context));
};

class SqliteSyncDestination implements SyncDestination {
  readonly name: string;
  private readonly state = tableRef(quoteIdent(syncStateTable));

  constructor(private readonly driver: SqliteDriver) {
    this.name = driver.name;
  }

  async prepare(): Promise<void> {
    this.with('creating the sync state table', (db) =>
      db.exec(`CREATE TABLE IF NOT EXISTS ${this.state.sql} (pipeline TEXT NOT NULL, stream TEXT NOT NULL, state TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (pipeline, stream))`),
    );
  }

  async readState(pipeline: string, stream?: string): Promise<StoredStreamState[]> {
    return this.with('reading the sync state', (db) => {
      if (!db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(syncStateTable)) return [];
      const rows = db.prepare(`SELECT * FROM ${this.state.sql} WHERE pipeline = ? AND (? IS NULL OR stream = ?) ORDER BY stream`).all(pipeline, stream ?? null, stream ?? null) as Record<string, string>[];
      return rows.map((r) => ({ pipeline: r.pipeline!, stream: r.stream!, state: JSON.parse(r.state!) as Record<string, unknown>, updatedAt: r.updated_at! }));
    });
  }

  async resetState(pipeline: string, stream?: string): Promise<number> {
    if (!(await this.readState(pipeline, stream)).length) return 0;
    return this.with('resetting the sync state', (db) => db.prepare(`DELETE FROM ${this.state.sql} WHERE pipeline = ? AND (? IS NULL OR stream = ?)`).run(pipeline, stream ?? null, stream ?? null).changes);
  }

  async describeTable(table: SyncTable): Promise<DestinationTableShape | undefined> {
    const ref = tableRef(table.name);
    return this.with(`describing ${ref.label}`, (db) => {
      const info = db.prepare('SELECT name, type, "notnull", pk FROM pragma_table_info(?, ?)').all(ref.name, ref.schema) as { name: string; type: string; notnull: number; pk: number }[];
      if (!info.length) return undefined;
      return {
        columns: info.map((c) => ({ name: c.name, nativeType: c.type, type: readTypeFor(c.type).duck ?? 'VARCHAR', nullable: !c.notnull })),
        key: info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name),
      };
    });
  }

  async createTable(table: SyncTable, columns: readonly Column[], key: readonly string[]): Promise<void> {
    const ref = tableRef(table.name);
    const defs = columns.map((c) => `${quoteIdent(c.name)} ${writeTypeFor(c.type).declared}`);
    if (key.length) defs.push(`PRIMARY KEY (${key.map(quoteIdent).join(', ')})`);
    this.with(`creating ${ref.label}`, (db) => db.exec(`CREATE TABLE IF NOT EXISTS ${ref.sql} (${defs.join(', ')})`));
  }

  async alterTable(table: SyncTable, change: TableAlteration): Promise<void> {
    const ref = tableRef(table.name);
    // SQLite's columns take any value whatever their declared type: a widening changes nothing stored.
    if (change.kind === 'widen_column') return;
    this.with(`changing ${ref.label}`, (db) => db.exec(`ALTER TABLE ${ref.sql} ADD COLUMN ${quoteIdent(change.column)} ${writeTypeFor(change.type).declared}`));
  }

  async applyBatch(batch: SyncBatch, context: SyncContext): Promise<SyncBatchResult> {
    const ref = tableRef(batch.table.name);
    const db = this.driver.open();
    const connectorContext: ConnectorContext = { projectRoot: '', tempDir: context.tempDir, session: context.session, logger: context.logger, signal: context.signal, block: batch.stream };
    const insert = (input: SyncInput, suffix = '', into: TableRef = ref): Promise<number> => {
      const select = `SELECT ${input.columns.map((c, i) => `${writeTypeFor(c.type).select(quoteIdent(c.name))} AS "c${i}"`).join(', ')} FROM ${quoteIdent(input.table)}`;
      const params = input.columns.map((_, i) => `@c${i}`).join(', ');
      const statement = db.prepare(`INSERT INTO ${into.sql} (${input.columns.map((c) => quoteIdent(c.name)).join(', ')}) VALUES (${params})${suffix}`);
      return insertAll({ db, target: into, existing: undefined, columns: input.columns, key: [], context: connectorContext, select, params, expectedRows: input.rows }, statement);
    };
    try {
      await this.driver.exclusive(db, 'BEGIN IMMEDIATE', context.signal);
      const current = db.prepare(`SELECT state FROM ${this.state.sql} WHERE pipeline = ? AND stream = ?`).get(batch.pipeline, batch.stream) as { state: string } | undefined;
      checkPreviousState(batch, current && (JSON.parse(current.state) as StreamState), this.name);
      const result = await this.change(db, ref, batch, insert);
      db.prepare(`INSERT INTO ${this.state.sql} (pipeline, stream, state, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (pipeline, stream) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`).run(
        batch.pipeline,
        batch.stream,
        JSON.stringify(batch.state),
        new Date().toISOString(),
      );
      await this.driver.exclusive(db, 'COMMIT', context.signal);
      return result;
    } catch (error) {
      if (error instanceof SluiceError) throw error;
      throw sqliteError('sqlite.sync_write_failed', `writing a batch of stream '${batch.stream}' into ${ref.label} in '${this.name}' failed`, error);
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
      db.close();
    }
  }

  private async change(db: Database, ref: TableRef, batch: SyncBatch, insert: (input: SyncInput, suffix?: string, into?: TableRef) => Promise<number>): Promise<SyncBatchResult> {
    const change = batch.change;
    switch (change.kind) {
      case 'append':
        return { rows: await insert(change.input), deleted: 0 };
      case 'replace':
        db.exec(`DELETE FROM ${ref.sql}`);
        return { rows: await insert(change.input), deleted: 0 };
      case 'upsert': {
        const keys = change.key.map(quoteIdent);
        let deleted = 0;
        if (change.deletes?.rows) {
          const stage = tableRef(`temp.${quoteIdent(`_sluice_keys_${process.pid}`)}`);
          db.exec(`DROP TABLE IF EXISTS ${stage.sql}; CREATE TABLE ${stage.sql} (${keys.join(', ')})`);
          await insert(change.deletes, '', stage);
          const match = keys.map((k) => `s.${k} = ${ref.sql}.${k}`).join(' AND ');
          deleted = db.prepare(`DELETE FROM ${ref.sql} WHERE EXISTS (SELECT 1 FROM ${stage.sql} AS s WHERE ${match})`).run().changes;
          db.exec(`DROP TABLE ${stage.sql}`);
        }
        if (!change.input?.rows) return { rows: 0, deleted };
        const others = change.input.columns.filter((c) => !change.key.includes(c.name)).map((c) => quoteIdent(c.name));
        const action = others.length ? `DO UPDATE SET ${others.map((c) => `${c} = excluded.${c}`).join(', ')}` : 'DO NOTHING';
        return { rows: await insert(change.input, ` ON CONFLICT (${keys.join(', ')}) ${action}`), deleted };
      }
      case 'state_only':
        return { rows: 0, deleted: 0 };
    }
  }

  async close(): Promise<void> {}

  private with<T>(what: string, work: (db: Database) => T): T {
    const db = this.driver.open();
    try {
      return work(db);
    } catch (error) {
      if (error instanceof SluiceError) throw error;
      throw sqliteError('sqlite.sync_failed', `${what} in '${this.name}' failed`, error);
    } finally {
      db.close();
    }
  }
}
