import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { connectors } from '../connectors/registry.ts';
import { openConnectorTestBench, type ConnectorTestBench } from '../connectors/testing/connector-test-bench.ts';
import type { SyncContext, SyncDestination } from '../core/connectors/sync-destination.ts';
import { cdcNames } from './cdc-names.ts';
import { readCdcPosition } from './cdc-position.ts';
import { runCdcSync, type CdcSyncSpec } from './run-cdc-sync.ts';
import mysql from 'mysql2/promise';
import { requirePrerequisites } from '../testing/require-prerequisites.ts';
import { waitFor } from '../testing/wait-for.ts';

const skip = await requirePrerequisites('postgres', 'postgres-logical-replication', 'mariadb');

const suffix = randomBytes(4).toString('hex');
const sourceSchema = `cdc_src_${suffix}`;
const pgSettings = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', schema: 'public', connect_timeout: 10, lock_timeout: 60, statement_timeout: 0 } as const;
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const admin = new pg.Pool({ host: '127.0.0.1', user: 'postgres', database: 'test', max: 2 });
const big = '9007199254740993';
/** The source as CDC sees it: the PostgreSQL connector's change capture on these settings. */
const changeSource = connectors.get('postgres')!.changeCapture!.source(pgSettings, 'src');
const toasted = 'x'.repeat(300_000); // past the TOAST threshold, stored out of line uncompressed-ish

let bench: ConnectorTestBench;
/** What a pipeline run hands CDC: the run's data-plane session and scratch folder. */
const ctx = (signal = new AbortController().signal): SyncContext => ({ session: bench.session, logger: silent, signal, tempDir: path.join(bench.dir, 'tmp') });
const open = (kind: string, settings: unknown, name: string): Promise<SyncDestination> =>
  connectors.get(kind)!.syncDestination!(settings, { name, projectRoot: bench.dir, warehousePath: path.join(bench.dir, 'warehouse.duckdb'), session: bench.session });

interface Dest {
  readonly kind: string;
  open(): Promise<SyncDestination>;
  /** Rows of the destination table as text, sorted by id. */
  rows(table: string): Promise<Record<string, string | null>[]>;
  cleanup(): Promise<void>;
}

const destSchema = `cdc_dst_${suffix}`;
const mysqlDb = `cdc_dst_${suffix}`;
const duckDir = mkdtempSync(path.join(tmpdir(), 'sluice-cdc-'));
const duckFile = path.join(duckDir, 'dest.duckdb');

const destinations: Dest[] = [
  {
    kind: 'postgres',
    open: () => open('postgres', { ...pgSettings, schema: destSchema }, 'dw'),
    async rows(table) {
      const r = await admin.query({
        text: `SELECT id::text, n::text, big::text, amount::text, label, flag::text, at_local::text, at_zone AT TIME ZONE 'UTC' AS at_zone, doc::text, note, blob FROM "${destSchema}"."${table}" ORDER BY id`,
        types: { getTypeParser: () => (v: string) => v },
      });
      return r.rows;
    },
    cleanup: async () => void (await admin.query(`DROP SCHEMA IF EXISTS "${destSchema}" CASCADE`)),
  },
  {
    kind: 'mysql',
    open: () => open('mysql', { host: '127.0.0.1', port: 3306, user: 'root', database: mysqlDb, connect_timeout: 10 }, 'mart'),
    async rows(table) {
      const c = await mysql.createConnection({ host: '127.0.0.1', user: 'root', database: mysqlDb, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
      const [rows] = await c.query(
        `SELECT CAST(id AS CHAR) id, CAST(n AS CHAR) n, CAST(big AS CHAR) big, CAST(amount AS CHAR) amount, label, CAST(flag AS CHAR) flag, CAST(at_local AS CHAR) at_local, CAST(at_zone AS CHAR) at_zone, CAST(doc AS CHAR) doc, note, \`blob\` FROM \`${table}\` ORDER BY id`,
      );
      await c.end();
      return rows as Record<string, string | null>[];
    },
    cleanup: async () => {
      const c = await mysql.createConnection({ host: '127.0.0.1', user: 'root' });
      await c.query(`DROP DATABASE IF EXISTS \`${mysqlDb}\``);
      await c.end();
    },
  },
  {
    kind: 'duckdb',
    open: () => open('duckdb', { path: duckFile }, 'warehouse'),
    async rows(table) {
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const instance = await DuckDBInstance.create(duckFile);
      const c = await instance.connect();
      const reader = await c.runAndReadAll(
        `SELECT id::VARCHAR id, n::VARCHAR n, big::VARCHAR big, amount::VARCHAR amount, label, flag::VARCHAR flag, at_local::VARCHAR at_local, timezone('UTC', at_zone)::VARCHAR at_zone, doc, note, blob FROM "${table}" ORDER BY id`,
      );
      const rows = reader.getRowObjectsJS() as Record<string, string | null>[];
      c.closeSync();
      instance.closeSync();
      return rows;
    },
    cleanup: async () => rmSync(duckDir, { recursive: true, force: true }),
  },
];

const source = (sql: string): Promise<pg.QueryResult> => admin.query(sql);

before(async () => {
  if (skip) return;
  bench = await openConnectorTestBench('sluice-cdc-bench-');
  await admin.query(`CREATE SCHEMA "${sourceSchema}"`);
  await admin.query(`CREATE SCHEMA "${destSchema}"`);
  const c = await mysql.createConnection({ host: '127.0.0.1', user: 'root' });
  await c.query(`CREATE DATABASE \`${mysqlDb}\``);
  await c.end();
  await source(`CREATE TABLE "${sourceSchema}".items (
    id integer PRIMARY KEY, n integer, big bigint, amount numeric(38,10), label text, flag boolean,
    at_local timestamp, at_zone timestamptz, doc jsonb, note text, blob text)`);
  await source(`ALTER TABLE "${sourceSchema}".items ALTER COLUMN blob SET STORAGE EXTERNAL`);
  await source(`CREATE TABLE "${sourceSchema}".nokey (a integer, b text)`);
  await source(`INSERT INTO "${sourceSchema}".items VALUES
    (1, 1, ${big}, 12345678901234567890.0123456789, 'it''s "quoted" ünïcode', true, '2024-03-10 02:30:00.123456', '2024-03-31 01:30:00.5+00', '{"a": [1, 2]}', NULL, '${toasted}'),
    (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (3, 3, -${big}, -0.5, 'three', false, '1999-12-31 23:59:59', '2024-10-27 00:59:59.999999+00', '"s"', 'n', 'b')`);
});

after(async () => {
  if (skip) return rmSync(duckDir, { recursive: true, force: true });
  for (const d of destinations) await d.cleanup().catch(() => undefined);
  await admin.query(`DROP SCHEMA IF EXISTS "${sourceSchema}" CASCADE`);
  await admin.end();
  await bench.close();
});

function spec(pipeline: string, overrides: Partial<CdcSyncSpec> = {}): CdcSyncSpec {
  const names = cdcNames(pipeline);
  return {
    pipeline,
    source: changeSource,
    streams: [{ stream: 'items', schema: sourceSchema, table: 'items', destinationTable: 'items' }],
    slot: names.slot,
    publication: names.publication,
    batchSize: 2,
    follow: false,
    ...overrides,
  };
}

async function cleanupSlot(pipeline: string): Promise<void> {
  const source = await changeSource.open(cdcNames(pipeline));
  try {
    await source.dropSlot();
    await source.dropPublication();
  } finally {
    await source.close();
  }
}

async function sourceRows(): Promise<Record<string, string | null>[]> {
  const r = await admin.query({
    text: `SELECT id::text, n::text, big::text, amount::text, label, flag::text, at_local::text, at_zone AT TIME ZONE 'UTC' AS at_zone, doc::text, note, blob FROM "${sourceSchema}".items ORDER BY id`,
    types: { getTypeParser: () => (v: string) => v },
  });
  return r.rows;
}

/** Compares what each destination can hold exactly; booleans, times and JSON differ only in spelling. */
function normalise(kind: string, rows: Record<string, string | null>[]): Record<string, string | null>[] {
  return rows.map((r) => {
    const out: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(r)) {
      let value = v === null || v === undefined ? null : String(v);
      if (value !== null && k === 'flag') value = ['1', 'true', 't'].includes(value) ? 'true' : 'false';
      if (value !== null && (k === 'at_local' || k === 'at_zone')) value = value.replace('T', ' ').replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '').replace(/\+00(:00)?$/, '');
      if (value !== null && k === 'doc') value = JSON.stringify(JSON.parse(value));
      if (value !== null && k === 'amount') value = value.replace(/^(-?)0\./, '$1.').replace(/^(-?)\./, '$10.');
      out[k] = value;
    }
    return out;
  });
}

describe('CDC from PostgreSQL', { skip }, () => {
  it('refuses a table without a primary key before creating a slot', async () => {
    const s = spec(`nokey_${suffix}`, { streams: [{ stream: 'nokey', schema: sourceSchema, table: 'nokey', destinationTable: 'nokey' }] });
    const dest = await destinations[0]!.open();
    try {
      await assert.rejects(runCdcSync(s, dest, ctx()), /has no primary key.*REPLICA IDENTITY/);
      const slots = await admin.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [s.slot]);
      assert.equal(slots.rowCount, 0);
    } finally {
      await dest.close();
      await cleanupSlot(s.pipeline);
    }
  });

  it('refuses a destination that cannot apply change sets (SQLite) before creating a slot', async () => {
    const s = spec(`sqlite_${suffix}`);
    const dest = await open('sqlite', { path: 'dest.sqlite' }, 'local');
    try {
      await assert.rejects(runCdcSync(s, dest, ctx()), /connection 'local' is not supported as a CDC destination/);
      const slots = await admin.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [s.slot]);
      assert.equal(slots.rowCount, 0);
    } finally {
      await dest.close();
    }
  });

  for (const d of destinations) {
    it(`copies a snapshot, then replicates inserts, updates and deletes into ${d.kind}, applying nothing twice`, async () => {
      const pipeline = `p_${d.kind}_${suffix}`;
      const s = spec(pipeline);
      const signal = new AbortController().signal;
      try {
        // Each run opens and closes its destination, as a pipeline run does; DuckDB allows one writer per file.
        const sync = async (): Promise<Awaited<ReturnType<typeof runCdcSync>>> => {
          const dest = await d.open();
          try {
            return await runCdcSync(s, dest, ctx(signal));
          } finally {
            await dest.close();
          }
        };
        const first = await sync();
        assert.equal(first.snapshotRows, 3);
        assert.deepEqual(normalise(d.kind, await d.rows('items')), normalise(d.kind, await sourceRows()));

        await source(`INSERT INTO "${sourceSchema}".items (id, n, label) VALUES (4, 4, 'four'), (5, 5, 'five')`);
        await source(`UPDATE "${sourceSchema}".items SET n = 10, label = 'one' WHERE id = 1`); // blob unchanged: TOASTed, not sent
        await source(`DELETE FROM "${sourceSchema}".items WHERE id = 3`);
        await source(`BEGIN; UPDATE "${sourceSchema}".items SET id = 6 WHERE id = 5; INSERT INTO "${sourceSchema}".items (id, n) VALUES (7, 7); COMMIT;`);
        const second = await sync();
        assert.equal(second.snapshotRows, undefined);
        assert.equal(second.transactions, 4);
        const rows = normalise(d.kind, await d.rows('items'));
        assert.deepEqual(rows, normalise(d.kind, await sourceRows()));
        assert.equal(rows.find((r) => r.id === '1')?.blob?.length, toasted.length);

        const third = await sync();
        assert.equal(third.changes, 0);
        assert.deepEqual(normalise(d.kind, await d.rows('items')), normalise(d.kind, await sourceRows()));
      } finally {
        await cleanupSlot(pipeline);
        // Later destinations start from the original rows again.
        await source(`DELETE FROM "${sourceSchema}".items WHERE id > 3`);
        await source(`INSERT INTO "${sourceSchema}".items (id, n, big, amount, label, flag, at_local, at_zone, doc, note, blob) VALUES (3, 3, -${big}, -0.5, 'three', false, '1999-12-31 23:59:59', '2024-10-27 00:59:59.999999+00', '"s"', 'n', 'b') ON CONFLICT (id) DO NOTHING`);
        await source(`UPDATE "${sourceSchema}".items SET n = 1, label = 'it''s "quoted" ünïcode' WHERE id = 1`);
      }
    });
  }

  it('keeps streaming with follow until the run is cancelled', async () => {
    const pipeline = `follow_${suffix}`;
    const s = spec(pipeline, { follow: true, streams: [{ stream: 'items', schema: sourceSchema, table: 'items', destinationTable: 'followed' }] });
    const controller = new AbortController();
    const dest = await destinations[0]!.open();
    try {
      const running = runCdcSync(s, dest, ctx(controller.signal));
      const seen = async (id: number): Promise<boolean> =>
        ((await admin.query(`SELECT 1 FROM "${destSchema}".followed WHERE id = $1`, [id]).catch(() => ({ rowCount: 0 }))).rowCount ?? 0) > 0;
      await waitFor(() => seen(1), { what: 'the snapshot to arrive' });
      await source(`INSERT INTO "${sourceSchema}".items (id, n) VALUES (900, 900)`);
      await waitFor(() => seen(900), { what: 'a change made after the run started to arrive while it follows' });
      controller.abort();
      const result = await running;
      assert.ok(result.changes >= 1);
    } finally {
      controller.abort();
      await dest.close();
      await source(`DELETE FROM "${sourceSchema}".items WHERE id = 900`);
      await cleanupSlot(pipeline);
    }
  });

  it('adds a column the source table gains mid-stream under evolve, and under freeze refuses the batch, writing nothing', async () => {
    const pipeline = `evolve_${suffix}`;
    await source(`CREATE TABLE "${sourceSchema}".grows (id int PRIMARY KEY, a text)`);
    await source(`INSERT INTO "${sourceSchema}".grows VALUES (1, 'one')`);
    const s = spec(pipeline, { streams: [{ stream: 'grows', schema: sourceSchema, table: 'grows', destinationTable: 'grows' }] });
    const frozen = spec(`frozen_${suffix}`, { streams: [{ stream: 'grows', schema: sourceSchema, table: 'grows', destinationTable: 'grows_frozen', contract: 'freeze' }] });
    const signal = new AbortController().signal;
    const dest = await destinations[0]!.open();
    try {
      await runCdcSync(s, dest, ctx(signal));
      await runCdcSync(frozen, dest, ctx(signal));
      await source(`ALTER TABLE "${sourceSchema}".grows ADD COLUMN b int`);
      await source(`INSERT INTO "${sourceSchema}".grows VALUES (2, 'two', 2)`);
      await source(`UPDATE "${sourceSchema}".grows SET a = 'uno' WHERE id = 1`);
      const evolved = await runCdcSync(s, dest, ctx(signal));
      assert.equal(evolved.snapshotRows, undefined, 'no new snapshot: the column is added while streaming');
      const copied = await admin.query(`SELECT id, a, b FROM "${destSchema}".grows ORDER BY id`);
      assert.deepEqual(copied.rows, [{ id: 1, a: 'uno', b: null }, { id: 2, a: 'two', b: 2 }]);
      await assert.rejects(runCdcSync(frozen, dest, ctx(signal)), /stream 'grows'.*schema contract is freeze; nothing was written/s);
      const kept = await admin.query(`SELECT * FROM "${destSchema}".grows_frozen ORDER BY id`);
      assert.deepEqual(kept.rows, [{ id: 1, a: 'one' }]);
    } finally {
      await dest.close();
      await cleanupSlot(pipeline);
      await cleanupSlot(`frozen_${suffix}`);
    }
  });

  it('skips on restart the transactions the destination committed but the slot was never told of', async () => {
    const pipeline = `unconfirmed_${suffix}`;
    const s = spec(pipeline, { batchSize: 1, streams: [{ stream: 'items', schema: sourceSchema, table: 'items', destinationTable: 'unconfirmed' }] });
    const signal = new AbortController().signal;
    const dest = await destinations[0]!.open();
    try {
      await runCdcSync(s, dest, ctx(signal));
      for (const id of [501, 502, 503]) await source(`INSERT INTO "${sourceSchema}".items (id, n) VALUES (${id}, ${id})`);
      // The process dies right after the destination's commit, before the slot hears of it.
      const applyChanges = async (...args: Parameters<NonNullable<SyncDestination['applyChanges']>>): Promise<never> => {
        await dest.applyChanges!(...args);
        throw new Error('killed');
      };
      const dying = new Proxy(dest, { get: (target, name) => (name === 'applyChanges' ? applyChanges : Reflect.get(target, name, target)) });
      await assert.rejects(runCdcSync(s, dying, ctx(signal)), /killed/);
      const slot = await admin.query('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [s.slot]);
      const position = await readCdcPosition(dest, pipeline, ['items'], changeSource.compare);
      assert.ok(changeSource.compare(String(slot.rows[0]!.lsn), position!.position) < 0, 'the destination is ahead of the slot, as after a crash between the two');
      const rerun = await runCdcSync(s, dest, ctx(signal));
      assert.equal(rerun.transactions, 2, 'the committed transaction is not applied again');
      const copied = await admin.query(`SELECT count(*)::int AS n FROM "${destSchema}".unconfirmed WHERE id > 500`);
      assert.equal(copied.rows[0]!.n, 3);
    } finally {
      await dest.close();
      await source(`DELETE FROM "${sourceSchema}".items WHERE id > 500`);
      await cleanupSlot(pipeline);
    }
  });
});
