import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { DataPlaneSession } from '../../core/data-plane/data-plane.ts';
import { openConnectorTestBench, type ConnectorTestBench } from '../testing/connector-test-bench.ts';
import { SluiceError } from '../../core/errors.ts';
import type { ConnectorConnection, ConnectorContext, WriteResult } from '../../core/connectors/connector.ts';
import { postgresConnector, type PostgresReadSettings, type PostgresWriteSettings } from './index.ts';
import { requirePrerequisites } from '../../testing/require-prerequisites.ts';
import { waitFor } from '../../testing/wait-for.ts';

const skip = await requirePrerequisites('postgres');

const url = process.env.SLUICE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `sluice_test_${process.pid}_${Date.now().toString(36)}`;

let dir: string;
let bench: ConnectorTestBench;
let session: DataPlaneSession;
let admin: pg.Client;
let connection: ConnectorConnection<PostgresReadSettings, PostgresWriteSettings>;

before(async () => {
  if (skip) return;
  bench = await openConnectorTestBench('sluice-pg-test-');
  ({ dir, session } = bench);
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  connection = await postgresConnector.connect(postgresConnector.connectionSchema.parse({ url, schema }), { name: 'test_pg', projectRoot: dir, warehousePath: '' });
});

after(async () => {
  await connection?.close();
  await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin?.end();
  await bench?.close();
});

function context(signal?: AbortSignal): ConnectorContext {
  return bench.context(signal);
}

function input(sql: string) {
  return bench.input(sql);
}

function write(settings: Record<string, unknown>, data: Awaited<ReturnType<typeof input>>, signal?: AbortSignal, interval?: { start: string; end: string }): Promise<WriteResult> {
  return connection.write!({ settings: postgresConnector.writeSchema.parse(settings), input: data, interval }, context(signal));
}

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await admin.query(sql)).rows;
}

async function leftovers(): Promise<string[]> {
  const found = await admin.query(`SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND relname LIKE '\\_sluice\\_%'`, [schema]);
  return found.rows.map((r) => r.relname);
}

/** Waits until a session other than the admin's, working in this file's schema, matches `where` (on pg_stat_activity `a`). */
async function sessionSeen(where: string, what: string): Promise<void> {
  await waitFor(
    async () => (await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity a WHERE a.pid <> pg_backend_pid() AND a.query LIKE '%' || $1 || '%' AND ${where}`, [schema])).rows[0].n > 0,
    { what },
  );
}

async function rejects(work: Promise<unknown>, code: string): Promise<SluiceError> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof SluiceError, `expected a SluiceError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

describe('postgres connector: writing', { skip }, () => {
  it('replaces a table, the second run leaving only the new rows', async () => {
    const first = await write({ table: 'sales' }, await input('SELECT i AS id, (i * 1.5)::DECIMAL(12,2) AS amount, \'r\' || i AS region FROM range(100) t(i)'));
    assert.equal(first.rows, 100);
    assert.match(first.summary, /^created .*sales with 100 rows \(1 COPY session\)$/);
    const second = await write({ table: 'sales' }, await input('SELECT i + 1000 AS id, 2.5::DECIMAL(12,2) AS amount, \'x\' AS region FROM range(40) t(i)'));
    assert.match(second.summary, /^replaced .*sales with 40 rows/);
    const [stats] = await rows(`SELECT count(*)::int AS n, min(id)::int AS lo, sum(amount)::text AS total FROM ${schema}.sales`);
    assert.deepEqual(stats, { n: 40, lo: 1000, total: '100.00' });
    assert.deepEqual(await leftovers(), []);
  });

  it('keeps index names, constraints and privileges when it swaps a replaced table in', async () => {
    await admin.query(`CREATE TABLE ${schema}.kept (id bigint CONSTRAINT kept_pk PRIMARY KEY, note text CHECK (note <> 'bad'))`);
    await admin.query(`CREATE INDEX kept_note_idx ON ${schema}.kept (note)`);
    await admin.query(`GRANT SELECT ON ${schema}.kept TO PUBLIC`);
    await admin.query(`COMMENT ON TABLE ${schema}.kept IS 'it''s kept'`);
    await write({ table: 'kept' }, await input("SELECT i AS id, 'n' || i AS note FROM range(10) t(i)"));
    const indexes = await rows(`SELECT indexname FROM pg_indexes WHERE schemaname = '${schema}' AND tablename = 'kept' ORDER BY 1`);
    assert.deepEqual(indexes.map((r) => r.indexname), ['kept_note_idx', 'kept_pk']);
    const [extra] = await rows(`SELECT has_table_privilege('public', '${schema}.kept', 'SELECT') AS granted, obj_description('${schema}.kept'::regclass, 'pg_class') AS comment`);
    assert.deepEqual(extra, { granted: true, comment: "it's kept" });
  });

  it('appends rows in one transaction', async () => {
    await write({ table: 'events' }, await input('SELECT i AS id FROM range(5) t(i)'));
    const result = await write({ table: 'events', mode: 'append' }, await input('SELECT i + 5 AS id FROM range(7) t(i)'));
    assert.match(result.summary, /^appended 7 rows to .*events/);
    assert.deepEqual(await rows(`SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM ${schema}.events`), [{ n: 12, d: 12 }]);
  });

  it('upserts by key: updates rows that exist and inserts the others', async () => {
    await write({ table: 'customers', mode: 'upsert', key: ['id'] }, await input("SELECT i AS id, 'old' AS name FROM range(5) t(i)"));
    await write({ table: 'customers', mode: 'upsert', key: 'id' }, await input("SELECT i + 3 AS id, 'new' AS name FROM range(5) t(i)"));
    const found = await rows(`SELECT name, count(*)::int AS n FROM ${schema}.customers GROUP BY name ORDER BY name`);
    assert.deepEqual(found, [{ name: 'new', n: 5 }, { name: 'old', n: 3 }]);
  });

  it('refuses an upsert whose input repeats a key, among the rows there or the new ones, and leaves the target as it was', async () => {
    await write({ table: 'twice', mode: 'upsert', key: ['id'] }, await input("SELECT i AS id, 'old' AS name FROM range(3) t(i)"));
    for (const repeated of [1, 4]) {
      const error = await rejects(
        write({ table: 'twice', mode: 'upsert', key: ['id'] }, await input(`SELECT i AS id, 'new' AS name FROM range(5) t(i) UNION ALL SELECT ${repeated}, 'again'`)),
        'postgres.duplicate_key',
      );
      assert.match(error.message, /more than one row for the same key \(id\)/);
      assert.deepEqual(await rows(`SELECT count(*)::int AS n, count(*) FILTER (WHERE name = 'old')::int AS old FROM ${schema}.twice`), [{ n: 3, old: 3 }]);
    }
    assert.deepEqual(await leftovers(), []);
  });

  it('upserts as one INSERT ... ON CONFLICT into a table with triggers, which see every row as an insert first', async () => {
    await admin.query(`CREATE TABLE ${schema}.watched (id bigint PRIMARY KEY, name text)`);
    await admin.query(`CREATE TABLE ${schema}.watched_log (id bigint)`);
    await admin.query(`CREATE FUNCTION ${schema}.log_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO ${schema}.watched_log VALUES (NEW.id); RETURN NEW; END $$`);
    await admin.query(`CREATE TRIGGER log_insert BEFORE INSERT ON ${schema}.watched FOR EACH ROW EXECUTE FUNCTION ${schema}.log_insert()`);
    await admin.query(`INSERT INTO ${schema}.watched VALUES (0, 'old'), (1, 'old')`);
    await admin.query(`TRUNCATE ${schema}.watched_log`);
    await write({ table: 'watched', mode: 'upsert', key: ['id'] }, await input("SELECT i AS id, 'new' AS name FROM range(4) t(i)"));
    assert.deepEqual(await rows(`SELECT count(*)::int AS n FROM ${schema}.watched_log`), [{ n: 4 }]);
    assert.deepEqual(await rows(`SELECT count(*)::int AS n, count(*) FILTER (WHERE name = 'new')::int AS new FROM ${schema}.watched`), [{ n: 4, new: 4 }]);
  });

  it('an upsert that another unique index refuses fails as a whole and changes nothing', async () => {
    await admin.query(`CREATE TABLE ${schema}.two_keys (id bigint PRIMARY KEY, code text UNIQUE, name text)`);
    await admin.query(`INSERT INTO ${schema}.two_keys VALUES (0, 'a', 'old'), (1, 'b', 'old')`);
    await rejects(
      write({ table: 'two_keys', mode: 'upsert', key: ['id'] }, await input("SELECT 1 AS id, 'b' AS code, 'new' AS name UNION ALL SELECT 2, 'a', 'new'")),
      'postgres.write_failed',
    );
    assert.deepEqual(await rows(`SELECT id::int, code, name FROM ${schema}.two_keys ORDER BY id`), [
      { id: 0, code: 'a', name: 'old' },
      { id: 1, code: 'b', name: 'old' },
    ]);
    assert.deepEqual(await leftovers(), []);
  });

  it('refuses an upsert into a table without a unique key, naming the table and key', async () => {
    await admin.query(`CREATE TABLE ${schema}.no_key (id bigint, v text)`);
    const error = await rejects(write({ table: 'no_key', mode: 'upsert', key: ['id'] }, await input("SELECT 1 AS id, 'a' AS v")), 'postgres.key_not_unique');
    assert.match(error.message, /no_key.*\(id\)/);
  });

  it('merges by key: replaces every row of a key present in the input', async () => {
    await write({ table: 'lines', mode: 'merge', key: ['day'] }, await input("SELECT (i % 3) AS day, i AS line FROM range(9) t(i)"));
    const result = await write({ table: 'lines', mode: 'merge', key: ['day'] }, await input('SELECT 1 AS day, 100 AS line UNION ALL SELECT 5, 500'));
    assert.match(result.summary, /merged 2 rows into .*lines, replacing 3/);
    const found = await rows(`SELECT day::int, count(*)::int AS n FROM ${schema}.lines GROUP BY day ORDER BY day`);
    assert.deepEqual(found, [{ day: 0, n: 3 }, { day: 1, n: 1 }, { day: 2, n: 3 }, { day: 5, n: 1 }]);
  });

  it('creates a new table once when writers load into it at once, as the runs of a backfill do', async () => {
    const days = ['2025-03-01', '2025-03-02', '2025-03-03', '2025-03-04'];
    const modes = [
      { table: 'at_once_partition', mode: 'partition', partition_column: 'day' },
      { table: 'at_once_append', mode: 'append' },
      { table: 'at_once_upsert', mode: 'upsert', key: ['day', 'i'] },
    ];
    for (const settings of modes) {
      const inputs = await Promise.all(days.map((day) => input(`SELECT DATE '${day}' AS day, i FROM range(50) t(i)`)));
      const next = (day: string): string => new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);
      const results = await Promise.allSettled(days.map((day, n) => write(settings, inputs[n]!, undefined, { start: day, end: next(day) })));
      assert.deepEqual(results.map((r) => (r.status === 'fulfilled' ? 'written' : String(r.reason))), days.map(() => 'written'), settings.mode);
      const found = await rows(`SELECT day::text AS day, count(*)::int AS n FROM ${schema}.${settings.table} GROUP BY day ORDER BY day`);
      assert.deepEqual(found, days.map((day) => ({ day, n: 50 })), settings.mode);
    }
    assert.deepEqual(await leftovers(), []);
  });

  it('loads 300,000 rows through two COPY sessions with the right count and sum', async () => {
    const data = await input('SELECT i AS id, (i % 1000)::DECIMAL(12,2) AS amount, \'customer \' || (i % 997) AS customer, TIMESTAMP \'2024-01-01\' + INTERVAL (i) SECOND AS at FROM range(300000) t(i)');
    const started = performance.now();
    const result = await write({ table: 'big', parallel: 2 }, data);
    const seconds = (performance.now() - started) / 1000;
    assert.match(result.summary, /300,000 rows \(2 COPY sessions\)/);
    const [stats] = await rows(`SELECT count(*)::int AS n, sum(id)::text AS ids, sum(amount)::text AS total FROM ${schema}.big`);
    assert.deepEqual(stats, { n: 300000, ids: String((299999 * 300000) / 2), total: '149850000.00' });
    console.log(`# 300,000 rows in ${seconds.toFixed(2)} s: ${Math.round(300000 / seconds).toLocaleString('en-US')} rows/s`);
  });

  it('writes tables and columns with spaces, quotes and unicode in their names', async () => {
    const table = '"my ""odd"" table ü"';
    await write({ table }, await input('SELECT i AS "Amount (€)", \'ü "quoted", line\nbreak\' AS "note" FROM range(3) t(i)'));
    await write({ table, mode: 'append' }, await input('SELECT 10 AS "Amount (€)", NULL::VARCHAR AS "note"'));
    const found = await rows(`SELECT "Amount (€)"::int AS amount, note FROM ${schema}."my ""odd"" table ü" ORDER BY 1`);
    assert.equal(found.length, 4);
    assert.equal(found[0]!.note, 'ü "quoted", line\nbreak');
    assert.equal(found[3]!.note, null);
  });

  it('leaves the target exactly as it was when a row breaks a constraint, with no staging table behind', async () => {
    await admin.query(`CREATE TABLE ${schema}.guarded (id bigint NOT NULL, amount numeric(12,2) CHECK (amount > 0))`);
    await admin.query(`INSERT INTO ${schema}.guarded VALUES (1, 10), (2, 20)`);
    const bad = await input('SELECT i AS id, CASE WHEN i = 150000 THEN -1 ELSE 1 END::DECIMAL(12,2) AS amount FROM range(300000) t(i)');
    for (const mode of ['replace', 'append', 'upsert', 'merge'] as const) {
      // Rows meet the constraints during COPY when the staging table has them, else when they move into the target.
      const code = { replace: 'postgres.copy_failed', append: 'postgres.copy_failed', upsert: 'postgres.key_not_unique', merge: 'postgres.write_failed' }[mode];
      const error = await rejects(write({ table: 'guarded', mode, key: ['id'], parallel: 2 }, bad), code);
      if (mode !== 'upsert') assert.match(error.message, /guarded.*check constraint/s);
      assert.doesNotMatch(error.message, /_sluice_/);
      assert.deepEqual(await rows(`SELECT id::int, amount::text FROM ${schema}.guarded ORDER BY id`), [{ id: 1, amount: '10.00' }, { id: 2, amount: '20.00' }]);
      assert.deepEqual(await leftovers(), []);
    }
    const nulls = await input('SELECT NULL::BIGINT AS id, 5::DECIMAL(12,2) AS amount');
    const error = await rejects(write({ table: 'guarded', mode: 'append' }, nulls), 'postgres.copy_failed');
    assert.match(error.message, /null value in column "id"/);
    assert.equal(error.location?.record, 1);
    assert.equal((await rows(`SELECT count(*)::int AS n FROM ${schema}.guarded`))[0]!.n, 2);
  });

  it('stops a load that is cancelled midway and leaves the target as it was', async () => {
    await admin.query(`CREATE TABLE ${schema}.cancelled (id bigint)`);
    await admin.query(`INSERT INTO ${schema}.cancelled VALUES (42)`);
    const data = await input('SELECT i AS id FROM range(2000000) t(i)');
    const controller = new AbortController();
    const writing = write({ table: 'cancelled', parallel: 2 }, data, controller.signal);
    // Midway: a COPY into this schema has loaded rows, and the load has not finished.
    await sessionSeen("EXISTS (SELECT FROM pg_stat_progress_copy p WHERE p.pid = a.pid AND p.tuples_processed > 0)", 'a COPY that has loaded rows');
    controller.abort(new Error('stop'));
    await rejects(writing, 'postgres.cancelled');
    assert.deepEqual(await rows(`SELECT id::int FROM ${schema}.cancelled`), [{ id: 42 }]);
    assert.deepEqual(await leftovers(), []);
    // A binary COPY needs no pipe and may not have made the folder at all.
    assert.deepEqual((await readdir(path.join(dir, 'tmp')).catch(() => [] as string[])).filter((f) => f.endsWith('.pipe')), []);
  });

  it('stops waiting for a locked target when cancelled', async () => {
    await admin.query(`CREATE TABLE ${schema}.locked (id bigint PRIMARY KEY)`);
    await admin.query('BEGIN');
    await admin.query(`LOCK TABLE ${schema}.locked IN ACCESS EXCLUSIVE MODE`);
    try {
      const controller = new AbortController();
      const writing = write({ table: 'locked', mode: 'upsert', key: ['id'] }, await input('SELECT 1 AS id'), controller.signal);
      // Whichever statement of the load meets the lock first, it is the one blocked by this session.
      const [{ pid }] = (await admin.query('SELECT pg_backend_pid() AS pid')).rows;
      await waitFor(async () => (await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [pid])).rows[0].n > 0, {
        what: 'the load to wait on the locked table',
      });
      controller.abort(new Error('stop'));
      await rejects(writing, 'postgres.cancelled');
    } finally {
      await admin.query('ROLLBACK');
    }
    assert.deepEqual(await leftovers(), []);
  });

  it('refuses an input whose columns do not match the table, naming both sides, before writing', async () => {
    await admin.query(`CREATE TABLE ${schema}.strict_cols (id bigint NOT NULL, name text NOT NULL, note text, created timestamptz NOT NULL DEFAULT now())`);
    await admin.query(`INSERT INTO ${schema}.strict_cols (id, name) VALUES (1, 'a')`);
    const error = await rejects(write({ table: 'strict_cols' }, await input("SELECT 1 AS id, 'x' AS nickname")), 'postgres.columns_mismatch');
    assert.match(error.message, /strict_cols/);
    assert.match(error.message, /lacks: nickname/);
    assert.match(error.message, /input lacks \(not null, no default\): name/);
    assert.doesNotMatch(error.message, /input lacks[^.]*note/);
    assert.equal((await rows(`SELECT count(*)::int AS n FROM ${schema}.strict_cols`))[0]!.n, 1);
    // Nullable and defaulted columns may be left out.
    await write({ table: 'strict_cols', mode: 'append' }, await input("SELECT 2 AS id, 'b' AS name"));
    assert.equal((await rows(`SELECT count(*)::int AS n FROM ${schema}.strict_cols`))[0]!.n, 2);
  });

  it('drops the staging tables of dead loads at the start of a write, and keeps those a live session holds', async () => {
    const dead = `_sluice_stage_${Math.floor(Date.now() / 1000).toString(36)}_dead`;
    const live = `_sluice_stage_${Math.floor(Date.now() / 1000).toString(36)}_live`;
    await admin.query(`CREATE TABLE ${schema}.${dead} (id bigint)`);
    await admin.query(`CREATE TABLE ${schema}.${live} (id bigint)`);
    // A load in progress holds its staging table's advisory lock for as long as its session lasts.
    const loader = new pg.Client({ connectionString: url });
    await loader.connect();
    try {
      await loader.query('SELECT pg_advisory_lock($1, hashtext($2))', [0x534c4345, live]);
      await write({ table: 'tidy', mode: 'append', create: true }, await input('SELECT 1 AS id'));
      assert.deepEqual(await leftovers(), [live]);
    } finally {
      await loader.end();
    }
    await write({ table: 'tidy', mode: 'append' }, await input('SELECT 2 AS id'));
    assert.deepEqual(await leftovers(), []);
  });

  it('keeps a view on the target working across a replace', async () => {
    await write({ table: 'viewed' }, await input('SELECT i AS id FROM range(3) t(i)'));
    await admin.query(`CREATE VIEW ${schema}.viewed_count AS SELECT count(*) AS n FROM ${schema}.viewed`);
    await write({ table: 'viewed' }, await input('SELECT i AS id FROM range(8) t(i)'));
    assert.deepEqual(await rows(`SELECT n::int FROM ${schema}.viewed_count`), [{ n: 8 }]);
    assert.deepEqual(await leftovers(), []);
  });

  it('writes lists, structs, blobs and JSON as PostgreSQL understands them', async () => {
    await admin.query(`CREATE TABLE ${schema}.shapes (tags text[], doc jsonb, raw bytea, extra jsonb)`);
    await write(
      { table: 'shapes', mode: 'append' },
      await input(`SELECT ['a', 'b "c"', NULL] AS tags, '{"k": [1, 2]}'::JSON AS doc, '\\x00\\xFFab'::BLOB AS raw, {'x': 1, 'y': ['z']} AS extra`),
    );
    const [found] = await rows(`SELECT tags, doc, encode(raw, 'hex') AS raw, extra FROM ${schema}.shapes`);
    assert.deepEqual(found, { tags: ['a', 'b "c"', null], doc: { k: [1, 2] }, raw: '00ff6162', extra: { x: 1, y: ['z'] } });
  });
});

describe('postgres connector: reading', { skip }, () => {
  before(async () => {
    await admin.query(`CREATE TABLE ${schema}.typed (
      id bigint, price numeric(38,10), at timestamptz, doc jsonb, name text, flag boolean, day date,
      span interval, uid uuid, raw bytea, tags int[], real_value double precision)`);
    await admin.query(`INSERT INTO ${schema}.typed VALUES
      (9007199254740993, 1234567890123456789012345678.0123456789, '2024-03-01 12:34:56.789012+02', '{"a": [1, {"b": null}]}', 'Grüße, "世界"', true, '2024-02-29',
       '1 year 2 mons -3 days +04:05:06.5', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\x00ff', '{1,2}', 0.1),
      (-1, NULL, NULL, NULL, '', NULL, NULL, NULL, NULL, NULL, NULL, 'NaN'),
      (NULL, -0.0000000001, '1970-01-01 00:00:00+00', 'null', '\\N', false, '0044-03-15 BC', '-00:00:01', NULL, '\\x', '{}', '-Infinity')`);
  });

  const expected = [
    ['id', 'BIGINT'],
    ['price', 'DECIMAL(38,10)'],
    ['at', 'TIMESTAMP WITH TIME ZONE'],
    ['doc', 'JSON'],
    ['name', 'VARCHAR'],
    ['flag', 'BOOLEAN'],
    ['day', 'DATE'],
    ['span', 'VARCHAR'],
    ['uid', 'UUID'],
    ['raw', 'BLOB'],
    ['tags', 'VARCHAR'],
    ['real_value', 'DOUBLE'],
  ];

  async function check(settings: PostgresReadSettings, name: string) {
    const location = path.join(dir, `${name}.parquet`);
    const result = await connection.read!({ settings, location }, context());
    assert.equal(result.output.rows, 3);
    assert.deepEqual(result.output.columns.map((c) => [c.name, c.type]), expected);
    await session.attach(name, result.output);
    const found = await session.query(`
      SELECT CAST(id AS VARCHAR) AS id, CAST(price AS VARCHAR) AS price, epoch_us("at") AS "at", CAST(doc AS VARCHAR) AS doc, name, flag,
             CAST(day AS VARCHAR) AS day, span,
             CAST(uid AS VARCHAR) AS uid, hex(raw) AS raw, tags, CAST(real_value AS VARCHAR) AS real_value
        FROM ${name} ORDER BY id NULLS LAST`);
    assert.deepEqual(found[0], {
      id: '-1', price: null, at: null, doc: null, name: '', flag: null, day: null, span: null, uid: null, raw: null, tags: null, real_value: 'nan',
    });
    assert.deepEqual(found[1], {
      id: '9007199254740993', price: '1234567890123456789012345678.0123456789', at: BigInt(Date.UTC(2024, 2, 1, 10, 34, 56)) * 1000n + 789012n,
      doc: '{"a": [1, {"b": null}]}', name: 'Grüße, "世界"', flag: true, day: '2024-02-29', span: '1 year 2 mons -3 days +04:05:06.5',
      uid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', raw: '00FF', tags: '{1,2}', real_value: '0.1',
    });
    assert.deepEqual(found[2], {
      id: null, price: '-0.0000000001', at: 0n, doc: 'null', name: '\\N', flag: false, day: '0044-03-15 (BC)', span: '-00:00:01', uid: null, raw: '', tags: '{}', real_value: '-inf',
    });
    return result;
  }

  it('reads a table with exact numbers, timestamps, JSON, nulls and unicode', async () => {
    const result = await check({ table: 'typed' }, 'read_table');
    assert.match(result.summary ?? '', /read 3 rows from .*typed/);
  });

  it('reads a query the same way', async () => {
    await check({ query: `SELECT * FROM ${schema}.typed WHERE true;` }, 'read_query');
  });

  it('runs a SQL block inside PostgreSQL and stores its result', async () => {
    const result = await connection.runSql!('SELECT count(*) AS n, sum(id) AS total\nFROM typed -- the connection schema is on the search path\n', path.join(dir, 'sql_block.parquet'), context());
    assert.deepEqual(result.output.columns.map((c) => c.type), ['BIGINT', 'DOUBLE']);
    assert.equal(result.output.rows, 1);
  });

  it('reports a SQL error at its line and column in the block', async () => {
    const error = await rejects(connection.runSql!('SELECT 1\nFROM no_such_table', path.join(dir, 'bad.parquet'), context()), 'postgres.read_failed');
    assert.deepEqual([error.location?.line, error.location?.column], [2, 6]);
  });

  it('says a table is missing by name', async () => {
    const error = await rejects(connection.read!({ settings: { table: 'nope' }, location: path.join(dir, 'nope.parquet') }, context()), 'postgres.table_missing');
    assert.match(error.message, /nope/);
  });

  it('answers small queries for TypeScript blocks with bound parameters', async () => {
    assert.deepEqual(await connection.query!('SELECT $1::int + 1 AS n, $2::text AS s', [41, "it's"]), [{ n: 42, s: "it's" }]);
  });
});

describe('postgres connector: connecting', { skip }, () => {
  const secret = 'Sup3r-s3cret-pw';

  it('fails to reach a closed port with a retryable error that never shows the password', async () => {
    const settings = postgresConnector.connectionSchema.parse({ host: '127.0.0.1', port: 1, user: 'loader', password: secret, database: 'db' });
    const error = await rejects(postgresConnector.connect(settings, { name: 'closed', projectRoot: dir, warehousePath: '' }), 'postgres.connect_failed');
    assert.equal(error.retryable, true);
    assert.match(error.message, /'closed'.*127\.0\.0\.1:1.*db/);
    assert.doesNotMatch(JSON.stringify({ ...error.toJSON(), cause: String(error.cause) }), new RegExp(secret));
  });

  it('fails on an unknown user or database without retrying and without the password', async () => {
    const bad = new URL(url);
    bad.username = 'no_such_role_sluice';
    bad.password = secret;
    const settings = postgresConnector.connectionSchema.parse({ url: bad.toString() });
    const error = await rejects(postgresConnector.connect(settings, { name: 'bad_login', projectRoot: dir, warehousePath: '' }), 'postgres.connect_failed');
    assert.equal(error.retryable, false);
    assert.doesNotMatch(`${error.message} ${String(error.cause)}`, new RegExp(secret));
    const noDb = new URL(url);
    noDb.pathname = '/no_such_database_sluice';
    const missing = await rejects(postgresConnector.connect(postgresConnector.connectionSchema.parse({ url: noDb.toString(), password: secret }), { name: 'no_db', projectRoot: dir, warehousePath: '' }), 'postgres.connect_failed');
    assert.equal(missing.retryable, false);
    assert.doesNotMatch(missing.message, new RegExp(secret));
  });
});
