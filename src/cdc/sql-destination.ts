import { ConnectorError } from '../core/errors.ts';
import { mask } from '../core/project/secrets.ts';
import type { ChangeBatch, Row } from './change-batch.ts';
import type { CdcDestination, CdcPosition, CdcTarget } from './cdc-destination.ts';
import type { CdcValue } from './cdc-values.ts';
import { formatLsn, parseLsn } from './lsn.ts';
import { splitQualified } from '../core/sql/quote.ts';
import { syncStateTable } from '../integration/sync-destination.ts';
import type { SourceColumn } from './source-tables.ts';

/** One open session on the destination; statements run in order. */
export interface SqlSession {
  run(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** What differs between destination databases; the apply logic is shared. */
export interface CdcDialect {
  readonly kind: string;
  quote(name: string): string;
  /** A parameter marker (1-based); DuckDB casts it to the column's type. */
  placeholder(index: number, column: SourceColumn | undefined, target: CdcTarget | undefined): string;
  columnType(column: SourceColumn, isKey: boolean): string;
  bind(value: CdcValue, column: SourceColumn): unknown;
  /** Parameters one statement may carry. */
  readonly maxParams: number;
  /** Whether the target table gets a primary key (an index that makes keyed deletes cheap). */
  readonly primaryKey: boolean;
  /** MySQL commits on DDL, so tables are created before the snapshot's transaction. */
  readonly transactionalDdl: boolean;
  /** The integration pipelines' state table, exactly as their destinations create it. */
  stateTableDdl(table: string): string;
  /** SQL for the current time in a `updated_at` column. */
  readonly now: string;
  /** SQL reading a JSON column as text. */
  jsonText(column: string): string;
  /** SQL reading a time column as ISO-8601 text in UTC. */
  isoText(column: string): string;
}

/**
 * A database's bulk path: rows land, as text, in a staging table of the
 * session, and set-based SQL moves them. Used where many small parameterised
 * statements are slow (DuckDB).
 */
export interface BulkStager {
  /** Creates a staging table with these columns (all text), fills it and returns its quoted name. */
  stage(columns: readonly string[], rows: readonly (readonly (string | null)[])[]): Promise<string>;
}

/** The state a CDC stream commits with each batch, in the integration pipelines' state table. */
export interface CdcStreamState {
  readonly mode: 'cdc';
  readonly lsn: string;
  readonly source_commit_time: string | null;
  /** The source columns the destination table holds, to notice a source that changed shape between runs. */
  readonly columns: readonly string[];
}

/** A CDC destination over any SQL database through its dialect and one session. */
export function createSqlDestination(label: string, dialect: CdcDialect, session: SqlSession, bulk?: BulkStager): CdcDestination {
  const q = (n: string): string => dialect.quote(n);
  const qt = (n: string): string => splitQualified(n).map(q).join('.');
  const state = dialect.quote(syncStateTable);
  const p = (i: number): string => dialect.placeholder(i, undefined, undefined);
  let stateReady = false;
  const ensureState = async (): Promise<void> => {
    if (stateReady) return;
    await session.run(dialect.stateTableDdl(state));
    stateReady = true;
  };
  const writePosition = async (pipeline: string, targets: readonly CdcTarget[], position: CdcPosition): Promise<void> => {
    for (const target of targets) {
      const value: CdcStreamState = {
        mode: 'cdc',
        lsn: formatLsn(position.lsn),
        source_commit_time: position.sourceCommitTime?.toISOString() ?? null,
        columns: target.source.columns.map((c) => c.name),
      };
      await session.run(`DELETE FROM ${state} WHERE pipeline = ${p(1)} AND stream = ${p(2)}`, [pipeline, target.stream]);
      await session.run(`INSERT INTO ${state} (pipeline, stream, state, updated_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${dialect.now})`, [
        pipeline,
        target.stream,
        JSON.stringify(value),
      ]);
    }
  };
  const inTransaction = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    await session.run('BEGIN');
    try {
      const result = await work();
      await session.run('COMMIT');
      return result;
    } catch (error) {
      await session.run('ROLLBACK').catch(() => undefined);
      if (error instanceof ConnectorError) throw error;
      throw new ConnectorError('cdc.destination_failed', mask(`${what} in ${label} failed: ${(error as Error).message}`), { cause: error });
    }
  };
  const createTable = async (target: CdcTarget): Promise<void> => {
    const { columns, key } = target.source;
    const defs = columns.map((c) => `${q(c.name)} ${dialect.columnType(c, key.includes(c.name))}${key.includes(c.name) ? ' NOT NULL' : ''}`);
    if (dialect.primaryKey) defs.push(`PRIMARY KEY (${key.map(q).join(', ')})`);
    await session.run(`DROP TABLE IF EXISTS ${qt(target.table)}`);
    await session.run(`CREATE TABLE ${qt(target.table)} (${defs.join(', ')})`);
  };
  const text = (row: Row, c: SourceColumn): string | null => {
    const v = dialect.bind(row[c.name] ?? null, c);
    return v === null || v === undefined ? null : String(v);
  };
  const cast = (expr: string, c: SourceColumn, target: CdcTarget): string => `CAST(${expr} AS ${dialect.columnType(c, target.source.key.includes(c.name))})`;
  const insertRows = async (target: CdcTarget, rows: readonly Row[]): Promise<void> => {
    const columns = target.source.columns;
    if (rows.length === 0) return;
    if (bulk) {
      const stage = await bulk.stage(columns.map((c) => c.name), rows.map((row) => columns.map((c) => text(row, c))));
      await session.run(`INSERT INTO ${qt(target.table)} (${columns.map((c) => q(c.name)).join(', ')}) SELECT ${columns.map((c) => cast(q(c.name), c, target)).join(', ')} FROM ${stage}`);
      await session.run(`DROP TABLE ${stage}`);
      return;
    }
    const per = Math.max(1, Math.min(1000, Math.floor(dialect.maxParams / columns.length)));
    for (let start = 0; start < rows.length; start += per) {
      const chunk = rows.slice(start, start + per);
      const params: unknown[] = [];
      const tuples = chunk.map((row) => {
        const marks = columns.map((c) => {
          params.push(dialect.bind(row[c.name] ?? null, c));
          return dialect.placeholder(params.length, c, target);
        });
        return `(${marks.join(', ')})`;
      });
      await session.run(`INSERT INTO ${qt(target.table)} (${columns.map((c) => q(c.name)).join(', ')}) VALUES ${tuples.join(', ')}`, params);
    }
  };
  const deleteKeys = async (target: CdcTarget, keys: readonly Row[]): Promise<void> => {
    const keyColumns = target.source.key.map((k) => target.source.columns.find((c) => c.name === k)!);
    if (keys.length === 0) return;
    if (bulk) {
      const stage = await bulk.stage(keyColumns.map((c) => c.name), keys.map((row) => keyColumns.map((c) => text(row, c))));
      const match = keyColumns.map((c) => `${qt(target.table)}.${q(c.name)} = ${cast(`s.${q(c.name)}`, c, target)}`).join(' AND ');
      await session.run(`DELETE FROM ${qt(target.table)} WHERE EXISTS (SELECT 1 FROM ${stage} s WHERE ${match})`);
      await session.run(`DROP TABLE ${stage}`);
      return;
    }
    const per = Math.max(1, Math.min(1000, Math.floor(dialect.maxParams / keyColumns.length)));
    for (let start = 0; start < keys.length; start += per) {
      const params: unknown[] = [];
      const mark = (row: Row, c: SourceColumn): string => {
        params.push(dialect.bind(row[c.name] ?? null, c));
        return dialect.placeholder(params.length, c, target);
      };
      const chunk = keys.slice(start, start + per);
      const where =
        keyColumns.length === 1
          ? `${q(keyColumns[0]!.name)} IN (${chunk.map((row) => mark(row, keyColumns[0]!)).join(', ')})`
          : chunk.map((row) => `(${keyColumns.map((c) => `${q(c.name)} = ${mark(row, c)}`).join(' AND ')})`).join(' OR ');
      await session.run(`DELETE FROM ${qt(target.table)} WHERE ${where}`, params);
    }
  };
  const updatePartial = async (target: CdcTarget, row: Row): Promise<void> => {
    const params: unknown[] = [];
    const mark = (c: SourceColumn): string => {
      params.push(dialect.bind(row[c.name] ?? null, c));
      return dialect.placeholder(params.length, c, target);
    };
    const present = target.source.columns.filter((c) => c.name in row && !target.source.key.includes(c.name));
    const keyColumns = target.source.columns.filter((c) => target.source.key.includes(c.name));
    if (present.length === 0) return;
    const set = present.map((c) => `${q(c.name)} = ${mark(c)}`).join(', ');
    const where = keyColumns.map((c) => `${q(c.name)} = ${mark(c)}`).join(' AND ');
    await session.run(`UPDATE ${qt(target.table)} SET ${set} WHERE ${where}`, params);
  };

  return {
    label,
    async readPosition(pipeline, targets) {
      await ensureState();
      const rows = await session.run(`SELECT stream, ${dialect.jsonText('state')} AS state, ${dialect.isoText('updated_at')} AS updated_at FROM ${state} WHERE pipeline = ${p(1)}`, [pipeline]);
      const byStream = new Map(rows.map((r) => [String(r.stream), r]));
      let position: CdcPosition | undefined;
      const columns: Record<string, readonly string[]> = {};
      for (const target of targets) {
        const row = byStream.get(target.stream);
        const value = row ? (JSON.parse(String(row.state)) as Partial<CdcStreamState>) : undefined;
        if (!row || value?.mode !== 'cdc' || typeof value.lsn !== 'string') return undefined;
        const lsn = parseLsn(value.lsn);
        if (Array.isArray(value.columns)) columns[target.stream] = value.columns;
        // Streams commit together, so they agree; should they not, the earliest is safe: replaying a batch rewrites the same rows.
        if (!position || lsn < position.lsn) {
          position = { lsn, sourceCommitTime: value.source_commit_time ? new Date(value.source_commit_time) : undefined, appliedAt: new Date(String(row.updated_at)) };
        }
      }
      return position && { ...position, columns };
    },
    async loadSnapshot(pipeline, targets, rows, position) {
      await ensureState();
      if (!dialect.transactionalDdl) for (const target of targets) await createTable(target);
      return inTransaction('loading the snapshot', async () => {
        let count = 0;
        for (const target of targets) {
          if (dialect.transactionalDdl) await createTable(target);
          else await session.run(`DELETE FROM ${qt(target.table)}`);
          for await (const chunk of rows(target)) {
            await insertRows(target, chunk);
            count += chunk.length;
          }
        }
        await writePosition(pipeline, targets, position);
        return count;
      });
    },
    async applyBatch(pipeline, targets, batch: ChangeBatch, position) {
      await inTransaction('applying changes', async () => {
        for (const target of targets) {
          const changes = batch.tables.get(target.source.label);
          if (!changes) continue;
          // Keys are unique within a batch, so removing every touched full row first makes the insert an upsert.
          await deleteKeys(target, [...changes.deletes, ...changes.upserts]);
          await insertRows(target, changes.upserts);
          for (const row of changes.partialUpdates) await updatePartial(target, row);
        }
        await writePosition(pipeline, targets, position);
      });
    },
    async clearPosition(pipeline, targets) {
      await ensureState();
      for (const target of targets) await session.run(`DELETE FROM ${state} WHERE pipeline = ${p(1)} AND stream = ${p(2)}`, [pipeline, target.stream]);
    },
    close: () => session.close(),
  };
}
