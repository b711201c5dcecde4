import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ConnectorContext } from '../../core/connectors/connector.ts';
import type { Column, DataPlaneSession } from '../../core/data-plane/data-plane.ts';
import { createDuckDbDataPlane } from '../../core/data-plane/duckdb-data-plane.ts';

/** What connector tests share: a temp folder, a real data plane session, and block inputs made from SQL. */
export interface ConnectorTestBench {
  readonly dir: string;
  readonly session: DataPlaneSession;
  /** The context a connector sees from a block run. */
  context(signal?: AbortSignal): ConnectorContext;
  /** A block output made by the data plane from SQL, visible to the session as a table. */
  input(sql: string): Promise<{ table: string; columns: readonly Column[]; rows: number }>;
  close(): Promise<void>;
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

export async function openConnectorTestBench(prefix: string): Promise<ConnectorTestBench> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  const plane = await createDuckDbDataPlane({ tempDir: path.join(dir, 'spill') });
  const session = await plane.openSession();
  let inputs = 0;
  return {
    dir,
    session,
    context: (signal = new AbortController().signal) => ({ projectRoot: dir, tempDir: path.join(dir, 'tmp'), session, logger: silent, signal, block: 'test_block' }),
    async input(sql) {
      const table = `input_${++inputs}`;
      const stored = await session.storeQuery(sql, path.join(dir, `${table}.parquet`));
      await session.attach(table, stored);
      return { table, columns: stored.columns, rows: stored.rows };
    },
    async close() {
      await session.close();
      await plane.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
