import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AnyConnector } from '../../core/connectors/connector.ts';
import type { SyncContext, SyncDestination } from '../../core/connectors/sync-destination.ts';
import { openConnectorTestBench, type ConnectorTestBench } from './connector-test-bench.ts';

/** A destination server for one test file: its settings, and a table name unique to the run. */
export interface SyncDestinationServer {
  /** Connection settings, as connections.yaml would hold them. */
  readonly settings: unknown;
  /** A destination table name (as a pipeline file writes it), unique to this run. */
  table(name: string): string;
  close(): Promise<void>;
}

export interface SyncDestinationConformance {
  /** From `requirePrerequisites`: a reason to skip when the server is missing. */
  readonly skip: string | false;
  readonly connector: AnyConnector;
  open(bench: ConnectorTestBench): Promise<SyncDestinationServer>;
}

const childScript = path.join(import.meta.dirname, 'sync-crash-child.ts');

/**
 * The promises every sync destination keeps, checked on the real server
 * through the contract only: a batch and its position commit together or not
 * at all; a crash between batches loses and repeats nothing; a second sync
 * that read an older position is refused; change sets apply deletes and
 * partial updates (where the connector declares `changes`); tables evolve.
 */
export function runSyncDestinationConformance(suite: SyncDestinationConformance): void {
  const { connector } = suite;
  describe(`${connector.kind} as a sync destination`, { skip: suite.skip }, () => {
    let bench: ConnectorTestBench;
    let server: SyncDestinationServer;
    let destination: SyncDestination;
    let context: SyncContext;
    const pipeline = `conformance_${process.pid}_${Date.now().toString(36)}`;
    const open = (): Promise<SyncDestination> =>
      connector.syncDestination!(server.settings, { name: 'dest', projectRoot: bench.dir, warehousePath: path.join(bench.dir, 'warehouse.duckdb'), session: bench.session });
    /** The table's rows as the connector itself reads them back, ordered by id. */
    const rows = async (table: string): Promise<Record<string, unknown>[]> => {
      const connection = await connector.connect(connector.connectionSchema.parse(server.settings), { name: 'dest', projectRoot: bench.dir, warehousePath: path.join(bench.dir, 'warehouse.duckdb') });
      try {
        const location = path.join(bench.dir, `read-${Date.now()}-${Math.random().toString(36).slice(2)}.parquet`);
        await connection.read!({ settings: connector.readSchema.parse({ table }), location }, bench.context());
        return await bench.session.query(`SELECT * EXCLUDE (id), CAST(id AS BIGINT) AS id FROM read_parquet('${location}') ORDER BY id`);
      } finally {
        await connection.close();
      }
    };
    const columns = [
      { name: 'id', type: 'BIGINT' },
      { name: 'note', type: 'VARCHAR' },
      { name: 'n', type: 'INTEGER' },
    ];

    before(async () => {
      bench = await openConnectorTestBench(`sluice-sync-${connector.kind}-`);
      server = await suite.open(bench);
      context = { session: bench.session, logger: bench.context().logger, signal: new AbortController().signal, tempDir: path.join(bench.dir, 'tmp') };
      destination = await open();
      await destination.prepare(context);
    });
    after(async () => {
      await destination?.resetState(pipeline).catch(() => undefined);
      await destination?.close();
      await server?.close();
      await bench?.close();
    });

    it('commits a batch with its position, and neither when the batch fails', async () => {
      const table = { name: server.table('atomic') };
      await destination.createTable(table, columns, ['id'], context);
      const first = await bench.input(`SELECT i::BIGINT AS id, 'a' || i AS note, i::INTEGER AS n FROM range(1, 4) t(i)`);
      await destination.applyBatch({ pipeline, stream: 'atomic', table, change: { kind: 'append', input: first }, state: { cursor: 3 }, previousState: null }, context);
      // A batch with a column the table lacks fails; where the table keeps its key, so does one that repeats a key,
      // which fails only once rows are going in.
      const extra = await bench.input(`SELECT 4::BIGINT AS id, 'b4' AS note, 4 AS n, 'x' AS unknown_column`);
      await assert.rejects(destination.applyBatch({ pipeline, stream: 'atomic', table, change: { kind: 'append', input: extra }, state: { cursor: 4 }, previousState: { cursor: 3 } }, context));
      if ((await destination.describeTable(table))?.key.length) {
        const clash = await bench.input(`SELECT i::BIGINT AS id, 'b' || i AS note, i::INTEGER AS n FROM range(3, 6) t(i)`);
        await assert.rejects(destination.applyBatch({ pipeline, stream: 'atomic', table, change: { kind: 'append', input: clash }, state: { cursor: 5 }, previousState: { cursor: 3 } }, context));
      }
      const [state] = await destination.readState(pipeline, 'atomic');
      assert.deepEqual(state?.state, { cursor: 3 });
      assert.deepEqual((await rows(table.name)).map((r) => r.note), ['a1', 'a2', 'a3']);
    });

    it('refuses a second sync of the stream that read an older position, and keeps the first one', async () => {
      const table = { name: server.table('twice') };
      await destination.createTable(table, columns, ['id'], context);
      const other = await open();
      try {
        const a = await bench.input(`SELECT 1::BIGINT AS id, 'first' AS note, 1 AS n`);
        const b = await bench.input(`SELECT 2::BIGINT AS id, 'second' AS note, 2 AS n`);
        // Both read "no state yet"; whichever commits first wins, the other must be refused.
        const results = await Promise.allSettled([
          destination.applyBatch({ pipeline, stream: 'twice', table, change: { kind: 'append', input: a }, state: { cursor: 1 }, previousState: null }, context),
          other.applyBatch({ pipeline, stream: 'twice', table, change: { kind: 'append', input: b }, state: { cursor: 2 }, previousState: null }, context),
        ]);
        const refused = results.filter((r) => r.status === 'rejected');
        assert.equal(refused.length, 1, JSON.stringify(results.map((r) => r.status)));
        assert.equal((refused[0] as PromiseRejectedResult).reason.code, 'integration.state_conflict');
        const [state] = await destination.readState(pipeline, 'twice');
        assert.equal((await rows(table.name)).length, 1);
        assert.deepEqual(state?.state, results[0]!.status === 'fulfilled' ? { cursor: 1 } : { cursor: 2 });
      } finally {
        await other.close();
      }
    });

    it('resumes after a crash between batches with no row lost or repeated', async () => {
      const table = server.table('crash');
      const args = JSON.stringify({ kind: connector.kind, settings: server.settings, table, pipeline, batches: 8, projectRoot: bench.dir });
      // The first run is killed (SIGKILL, no cleanup) once it has committed three batches.
      await new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', childScript, args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('committed 3')) child.kill('SIGKILL');
        });
        child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`the sync ended by itself (${code}) before it was killed: ${out}${err}`))));
      });
      const rerun = await new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', childScript, args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`the rerun failed (${code}): ${out}`))));
      });
      assert.match(rerun, /committed 8/);
      assert.doesNotMatch(rerun, /committed [123]\n/, 'the rerun starts after the last committed batch');
      const ids = (await rows(table)).map((r) => Number(r.id));
      assert.equal(ids.length, 800);
      assert.deepEqual(ids, Array.from({ length: 800 }, (_, i) => i + 1));
      const [state] = await destination.readState(pipeline, 'events');
      assert.deepEqual(state?.state, { batch: 8 });
    });

    it('upserts batches of new keys, of keys between existing ones, and of keys already there', async () => {
      const table = { name: server.table('upsert') };
      await destination.createTable(table, columns, ['id'], context);
      const upsert = async (select: string, cursor: number, previous: number | null): Promise<void> => {
        const input = await bench.input(select);
        await destination.applyBatch({ pipeline, stream: 'upsert', table, change: { kind: 'upsert', input, key: ['id'] }, state: { cursor }, previousState: previous === null ? null : { cursor: previous } }, context);
      };
      // Keys 1, 2 and 10; then 3..9, all new but inside the range the table spans; then 8..11, of which 9 and 10 are there.
      await upsert(`SELECT i::BIGINT AS id, 'a' || i AS note, i::INTEGER AS n FROM (VALUES (1), (2), (10)) t(i)`, 1, null);
      await upsert(`SELECT i::BIGINT AS id, 'b' || i AS note, i::INTEGER AS n FROM range(3, 10) t(i)`, 2, 1);
      await upsert(`SELECT i::BIGINT AS id, 'c' || i AS note, (i * 100)::INTEGER AS n FROM range(8, 12) t(i)`, 3, 2);
      const got = await rows(table.name);
      assert.deepEqual(
        got.map((r) => `${String(r.id)}:${String(r.note)}:${String(r.n)}`),
        ['1:a1:1', '2:a2:2', '3:b3:3', '4:b4:4', '5:b5:5', '6:b6:6', '7:b7:7', '8:c8:800', '9:c9:900', '10:c10:1000', '11:c11:1100'],
      );
      const [state] = await destination.readState(pipeline, 'upsert');
      assert.deepEqual(state?.state, { cursor: 3 });
    });

    it('adds a column and widens another, then takes rows that use them', async () => {
      const table = { name: server.table('evolve') };
      await destination.createTable(table, columns, ['id'], context);
      await destination.alterTable(table, { kind: 'add_column', column: 'extra', type: 'VARCHAR' }, context);
      await destination.alterTable(table, { kind: 'widen_column', column: 'n', type: 'BIGINT' }, context);
      const shape = await destination.describeTable(table);
      assert.deepEqual(shape?.columns.map((c) => c.name), ['id', 'note', 'n', 'extra']);
      const input = await bench.input(`SELECT 1::BIGINT AS id, 'x' AS note, 5000000000::BIGINT AS n, 'new' AS extra`);
      await destination.applyBatch({ pipeline, stream: 'evolve', table, change: { kind: 'append', input }, state: { cursor: 1 } }, context);
      const [row] = await rows(table.name);
      assert.equal(String(row?.n), '5000000000');
      assert.equal(row?.extra, 'new');
    });

    it('applies change sets: upserts, deletes and partial updates, with their position', { skip: connector.capabilities.syncDestination !== 'changes' && 'declares no change sets' }, async () => {
      const table = { name: server.table('changes') };
      await destination.createTable(table, columns, ['id'], context);
      const seed = await bench.input(`SELECT i::BIGINT AS id, 'v' || i AS note, i::INTEGER AS n FROM range(1, 5) t(i)`);
      await destination.applyChanges!({ pipeline, tables: [{ stream: 'changes', table, key: ['id'], upserts: seed, state: { position: '0/1' } }] }, context);
      const upserts = await bench.input(`SELECT * FROM (VALUES (1::BIGINT, 'changed', 10), (9::BIGINT, 'new', 9)) t(id, note, n)`);
      // A partial update carries the key and only the columns that came: n keeps its value.
      const partial = await bench.input(`SELECT 2::BIGINT AS id, 'partly' AS note`);
      const deletes = await bench.input(`SELECT 3::BIGINT AS id`);
      await destination.applyChanges!({ pipeline, tables: [{ stream: 'changes', table, key: ['id'], upserts, partialUpdates: [partial], deletes, state: { position: '0/2' } }] }, context);
      const after = (await rows(table.name)).map((r) => [Number(r.id), r.note, Number(r.n)]);
      assert.deepEqual(after, [
        [1, 'changed', 10],
        [2, 'partly', 2],
        [4, 'v4', 4],
        [9, 'new', 9],
      ]);
      const [state] = await destination.readState(pipeline, 'changes');
      assert.deepEqual(state?.state, { position: '0/2' });
    });
  });
}
