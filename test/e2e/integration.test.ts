import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sluice } from './cli-helpers.ts';
import { createWorld, fingerprint, type IntegrationWorld, type QuerySide } from './integration-fixtures.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('postgres', 'mariadb');

/** The same orders table on either source database. */
async function createOrders(world: IntegrationWorld, side: 'pg' | 'maria', rows: number): Promise<string> {
  const table = `${world.name}.orders`;
  if (side === 'pg') {
    await world.query('pg', `CREATE TABLE ${table} (id int PRIMARY KEY, amount numeric(12,2), note varchar(100), updated_at timestamp(6))`);
    await world.query('pg', `INSERT INTO ${table} SELECT i, i * 1.5, 'n' || i, timestamp '2024-01-01' + i * interval '1 minute' FROM generate_series(1, ${rows}) i`);
  } else {
    await world.query('maria', `CREATE TABLE ${table} (id int PRIMARY KEY, amount decimal(12,2), note varchar(100), updated_at datetime(6))`);
    await world.query('maria', `INSERT INTO ${table} SELECT seq, seq * 1.5, concat('n', seq), timestamp '2024-01-01 00:00:00' + INTERVAL seq MINUTE FROM seq_1_to_${rows}`);
  }
  return table;
}

function modesPipeline(source: string, destination: string): string {
  return [
    'kind: integration',
    `source: ${source}`,
    `destination: ${destination}`,
    'batch_size: 1000',
    'streams:',
    '  - { table: orders, name: appended, destination_table: orders_append, cursor: updated_at, mode: incremental_append }',
    '  - { table: orders, name: deduped, destination_table: orders_dedupe, cursor: updated_at, mode: incremental_dedupe }',
    '  - { table: orders, name: refreshed, destination_table: orders_full, mode: full_refresh }',
    '',
  ].join('\n');
}

function destinationTable(world: IntegrationWorld, side: QuerySide, table: string): string {
  return side === 'warehouse' || side === 'sqlite' ? table : `${world.name}.${table}`;
}

/** Every sync mode from one database to another: first sync, a rerun that adds nothing, new and changed rows. */
function describeModes(from: 'pg' | 'maria', to: QuerySide): void {
  describe(`sync modes, ${from} -> ${to}`, { skip }, () => {
    let world: IntegrationWorld;
    let source: string;
    const dest = (table: string): string => destinationTable(world, to, table);
    before(async () => {
      world = await createWorld(`sync_${from}_${to}`);
      source = await createOrders(world, from, 2500);
      world.pipeline('sync', modesPipeline(from, to === 'warehouse' ? 'warehouse' : to));
    });
    after(() => world.close());

    it('copies every row in batches, commits the state, and a rerun adds nothing', async () => {
      const first = await sluice(world.dir, ['run', 'sync']);
      assert.equal(first.code, 0, first.stdout + first.stderr);
      assert.match(first.stdout, /appended 2,500 rows into orders_append .* in 3 batch\(es\)/);
      const expected = await fingerprint(world, from, source);
      for (const table of ['orders_append', 'orders_dedupe', 'orders_full']) assert.deepEqual(await fingerprint(world, to, dest(table)), expected, table);

      const again = await sluice(world.dir, ['run', 'sync']);
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.match(again.stdout, /appended 0 rows into orders_append/);
      assert.deepEqual(await fingerprint(world, to, dest('orders_append')), expected);

      const state = await sluice(world.dir, ['state', 'show', 'sync', '--json']);
      const streams = JSON.parse(state.stdout) as { stream: string; state: { cursor?: string; rows: number } }[];
      assert.match(streams.find((s) => s.stream === 'appended')!.state.cursor!, /^2024-01-02 17:40:00/);
      assert.equal(streams.find((s) => s.stream === 'deduped')!.state.rows, 2500);
    });

    it('lands new rows after a rerun, and dedupe keeps the latest version of a changed row', async () => {
      if (from === 'pg') {
        await world.query('pg', `UPDATE ${source} SET note = 'changed', amount = 99.99, updated_at = timestamp '2030-01-01' WHERE id = 5`);
        await world.query('pg', `INSERT INTO ${source} SELECT i, i * 1.5, 'n' || i, timestamp '2030-01-02' + i * interval '1 second' FROM generate_series(2501, 2600) i`);
      } else {
        await world.query('maria', `UPDATE ${source} SET note = 'changed', amount = 99.99, updated_at = '2030-01-01' WHERE id = 5`);
        await world.query('maria', `INSERT INTO ${source} SELECT seq, seq * 1.5, concat('n', seq), timestamp '2030-01-02 00:00:00' + INTERVAL seq SECOND FROM seq_2501_to_2600`);
      }
      const run = await sluice(world.dir, ['run', 'sync']);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const expected = await fingerprint(world, from, source);
      assert.deepEqual(await fingerprint(world, to, dest('orders_dedupe')), expected);
      assert.deepEqual(await fingerprint(world, to, dest('orders_full')), expected);
      const appended = await fingerprint(world, to, dest('orders_append'));
      assert.equal(appended.rows, 2601, 'the changed row is appended once more, the new rows once');
      assert.equal(appended.ids, 2600);
      const [latest] = await world.query(to, `SELECT note, amount FROM ${dest('orders_dedupe')} WHERE id = 5`);
      assert.equal(latest!.note, 'changed');
      assert.equal(Number(latest!.amount), 99.99);
    });

    it('state reset makes the next run start over', async () => {
      const reset = await sluice(world.dir, ['state', 'reset', 'sync', '--stream', 'deduped']);
      assert.equal(reset.code, 0, reset.stderr);
      const shown = await sluice(world.dir, ['state', 'show', 'sync', '--stream', 'deduped']);
      assert.match(shown.stdout, /no state/);
      const run = await sluice(world.dir, ['run', 'sync']);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /upserted 2,600 rows into orders_dedupe .* from the start/);
      assert.deepEqual(await fingerprint(world, to, dest('orders_dedupe')), await fingerprint(world, from, source));
    });
  });
}

describeModes('pg', 'maria');
describeModes('maria', 'pg');
describeModes('pg', 'warehouse');
describeModes('maria', 'sqlite');

describe('schema contracts (pg -> maria)', { skip }, () => {
  let world: IntegrationWorld;
  before(async () => {
    world = await createWorld('contract');
    await world.query('pg', `CREATE TABLE ${world.name}.items (id int PRIMARY KEY, qty int, updated_at timestamp)`);
    await world.query('pg', `INSERT INTO ${world.name}.items VALUES (1, 10, '2024-01-01'), (2, 20, '2024-01-02'), (3, 30, '2024-01-03')`);
    world.pipeline(
      'items',
      [
        'kind: integration',
        'source: pg',
        'destination: maria',
        'streams:',
        '  - { table: items, name: evolved, destination_table: items_evolved, cursor: updated_at, mode: incremental_append, schema_contract: evolve }',
        '  - { table: items, name: discarded, destination_table: items_discard, cursor: updated_at, mode: incremental_dedupe, schema_contract: discard_row }',
        '  - { table: items, name: frozen, destination_table: items_frozen, cursor: updated_at, mode: incremental_append, schema_contract: freeze }',
        '',
      ].join('\n'),
    );
    const first = await sluice(world.dir, ['run', 'items']);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    await world.query('pg', `ALTER TABLE ${world.name}.items ADD COLUMN color text, ALTER COLUMN qty TYPE bigint`);
    await world.query('pg', `INSERT INTO ${world.name}.items VALUES (4, 40, '2024-01-04', NULL), (5, 1000000000000, '2024-01-05', 'red')`);
  });
  after(() => world.close());

  it('evolve adds the new column as nullable and widens int to bigint; freeze fails with a diff and writes nothing; discard_row sets bad rows aside', async () => {
    const run = await sluice(world.dir, ['run', 'items']);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /stream 'frozen'.*schema contract is freeze; nothing was written/s);
    assert.match(run.stderr, /\+ color VARCHAR/);
    assert.match(run.stderr, /~ qty: INTEGER in the destination, BIGINT in the source/);

    const evolved = await world.query('maria', `SELECT id, qty, color FROM ${world.name}.items_evolved ORDER BY id`);
    assert.equal(evolved.length, 5);
    assert.equal(String(evolved[4]!.qty), '1000000000000');
    assert.equal(evolved[4]!.color, 'red');
    const [qty] = await world.query('maria', `SELECT DATA_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '${world.name}' AND TABLE_NAME = 'items_evolved' AND COLUMN_NAME = 'qty'`);
    assert.equal(qty!.t, 'bigint');

    const kept = await world.query('maria', `SELECT id FROM ${world.name}.items_discard ORDER BY id`);
    assert.deepEqual(kept.map((r) => r.id), [1, 2, 3, 4]);
    const rejects = await world.query('maria', `SELECT _sluice_reason AS reason, _sluice_row AS raw FROM ${world.name}.items_discard__rejects`);
    assert.equal(rejects.length, 1);
    assert.match(String(rejects[0]!.reason), /column color is not in the destination/);
    assert.match(String(rejects[0]!.reason), /qty does not fit INTEGER/);
    assert.equal((JSON.parse(String(rejects[0]!.raw)) as { id: number }).id, 5);

    const [frozen] = await world.query('maria', `SELECT count(*) AS n FROM ${world.name}.items_frozen`);
    assert.equal(Number(frozen!.n), 3, 'freeze wrote nothing');

    const history = await sluice(world.dir, ['schema', 'history', 'items']);
    assert.equal(history.code, 0, history.stderr);
    assert.match(history.stdout, /evolved\s+items_evolved\s+add_column: added color VARCHAR/);
    assert.match(history.stdout, /evolved\s+items_evolved\s+widen_column: widened qty from INTEGER to BIGINT/);
    assert.match(history.stdout, /discarded\s+items_discard\s+reject_rows: 1 row\(s\) set aside/);
    assert.match(history.stdout, /frozen\s+items_frozen\s+freeze_violation/);
  });
});

describe('bad input to an integration pipeline', { skip }, () => {
  let world: IntegrationWorld;
  before(async () => {
    world = await createWorld('badsync');
    await world.query('pg', `CREATE TABLE ${world.name}.t (id int PRIMARY KEY, updated_at timestamp)`);
    await world.query('pg', `INSERT INTO ${world.name}.t VALUES (1, '2024-01-01')`);
    world.pipeline(
      'bad_yaml',
      ['kind: integration', 'source: pg', 'destination: maria', 'streams:', '  - { table: t, mode: incremental_append }', ''].join('\n'),
    );
  });
  after(() => world.close());

  const stream = (source: string, table: string, cursor = 'updated_at'): string =>
    ['kind: integration', `source: ${source}`, 'destination: maria', 'streams:', `  - { table: ${table}, name: s, cursor: ${cursor}, mode: incremental_append }`, ''].join('\n');

  async function tables(): Promise<string[]> {
    return (await world.query('maria', `SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${world.name}'`)).map((r) => String(r.t));
  }

  it('an incremental stream without a cursor is refused with file:line:col', async () => {
    const run = await sluice(world.dir, ['run', 'bad_yaml']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /pipelines\/bad_yaml\.yaml:5:\d+: streams\.0\.cursor: an incremental stream needs a cursor/);
  });

  it('a missing table names the stream, table and connection, and leaves the destination unchanged', async () => {
    world.pipeline('missing', stream('pg', 'nope'));
    const run = await sluice(world.dir, ['run', 'missing']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /stream 's': reading table nope from connection 'pg' failed: .*nope/);
    assert.deepEqual((await tables()).filter((t) => t === 's'), []);
  });

  it('a cursor column that does not exist names the column, stream and table', async () => {
    world.pipeline('nocursor', stream('pg', 't', 'changed_at'));
    const run = await sluice(world.dir, ['run', 'nocursor']);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /stream 's': the cursor column 'changed_at' is not in table t of connection 'pg' \(columns: id, updated_at\)/);
    assert.deepEqual((await tables()).filter((t) => t === 's'), []);
  });

  it('an unreachable host and bad credentials name the connection and mask the password', async () => {
    const connections = `connections:\n  down:\n    connector: postgres\n    host: 127.0.0.1\n    port: 1\n    connect_timeout: 2\n  wrong:\n    connector: postgres\n    url: "postgres://nosuchuser:Sup3rSecretPw@127.0.0.1:5432/test"\n  maria:\n    connector: mysql\n    url: "mysql://root@127.0.0.1:3306/${world.name}"\n`;
    const { writeProject } = await import('./cli-helpers.ts');
    writeProject(world.dir, { 'connections.yaml': connections });
    world.pipeline('down', stream('down', 't'));
    const down = await sluice(world.dir, ['run', 'down']);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /stream 's' \(table t\): opening source connection 'down' failed: .*127\.0\.0\.1:1/);
    world.pipeline('wrong', stream('wrong', 't'));
    const wrong = await sluice(world.dir, ['run', 'wrong']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /stream 's' \(table t\): opening source connection 'wrong' failed: .*nosuchuser/);
    assert.doesNotMatch(wrong.stdout + wrong.stderr, /Sup3rSecretPw/);
    assert.deepEqual((await tables()).filter((t) => t === 's'), []);
  });
});

describe('a SQLite source with a numeric cursor (sqlite -> warehouse)', { skip }, () => {
  let world: IntegrationWorld;
  before(async () => {
    world = await createWorld('sqlite_src');
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(`${world.dir}/app.sqlite`);
    db.exec(`CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT, amount NUMERIC); WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM s WHERE value < 500) INSERT INTO events SELECT value, 'k' || (value % 7), value * 2 FROM s`);
    db.close();
    const { writeProject } = await import('./cli-helpers.ts');
    writeProject(world.dir, { 'connections.yaml': 'connections:\n  app:\n    connector: sqlite\n    path: app.sqlite\n' });
    world.pipeline('events', ['kind: integration', 'source: app', 'destination: warehouse', 'batch_size: 200', 'streams:', '  - { table: events, cursor: id, mode: incremental_dedupe }', ''].join('\n'));
  });
  after(() => world.close());

  it('syncs in batches past a numeric cursor and picks up only new rows on the next run', async () => {
    const first = await sluice(world.dir, ['run', 'events']);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /upserted 500 rows into events .* in 3 batch\(es\), from the start; cursor id = 500/);
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(`${world.dir}/app.sqlite`);
    db.exec(`WITH RECURSIVE s(value) AS (SELECT 501 UNION ALL SELECT value + 1 FROM s WHERE value < 520) INSERT INTO events SELECT value, 'new', value * 2 FROM s`);
    db.close();
    const second = await sluice(world.dir, ['run', 'events']);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.match(second.stdout, /upserted 20 rows into events .* after id = 500; cursor id = 520/);
    const [row] = await world.query('warehouse', 'SELECT count(*) AS n, count(DISTINCT id) AS k, sum(id) AS s FROM events');
    assert.deepEqual([Number(row!.n), Number(row!.k), Number(row!.s)], [520, 520, (520 * 521) / 2]);
  });
});

describe('two syncs of the same stream at once', { skip }, () => {
  let world: IntegrationWorld;
  before(async () => {
    world = await createWorld('syncrace');
    await createOrders(world, 'pg', 20_000);
    world.pipeline('race', ['kind: integration', 'source: pg', 'destination: maria', 'batch_size: 500', 'streams:', '  - { table: orders, cursor: updated_at, mode: incremental_append }', ''].join('\n'));
  });
  after(() => world.close());

  it('never append the same rows twice: a batch whose state moved meanwhile rolls back', async () => {
    const first = await sluice(world.dir, ['run', 'race']);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    await world.query('pg', `INSERT INTO ${world.name}.orders SELECT i, i * 1.5, 'n' || i, timestamp '2030-01-01' + i * interval '1 second' FROM generate_series(20001, 40000) i`);
    const runs = await Promise.all([sluice(world.dir, ['run', 'race']), sluice(world.dir, ['run', 'race'])]);
    for (const run of runs.filter((r) => r.code !== 0)) assert.match(run.stderr, /changed while this sync ran|Duplicate entry/, run.stderr);
    const last = await sluice(world.dir, ['run', 'race']);
    assert.equal(last.code, 0, last.stdout + last.stderr);
    assert.deepEqual(await fingerprint(world, 'maria', `${world.name}.orders`), await fingerprint(world, 'pg', `${world.name}.orders`));
  });
});

describe('a files source (csv -> pg)', { skip }, () => {
  let world: IntegrationWorld;
  before(async () => {
    world = await createWorld('files_src');
    const { writeProject } = await import('./cli-helpers.ts');
    const lines = (from: number, to: number): string => Array.from({ length: to - from + 1 }, (_, i) => `${from + i},${(from + i) * 2}.50,2024-01-01 00:00:${String((from + i) % 60).padStart(2, '0')}`).join('\n');
    writeProject(world.dir, {
      'connections.yaml': `connections:\n  landing:\n    connector: file\n  pg:\n    connector: postgres\n    url: "${process.env.SLUICE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'}"\n    schema: ${world.name}\n`,
      'data/prices.csv': `id,amount,seen_at\n${lines(1, 40)}\n`,
    });
    world.pipeline('files', ['kind: integration', 'source: landing', 'destination: pg', 'batch_size: 15', 'streams:', '  - { name: prices, file: { path: data/prices.csv }, cursor: id, primary_key: id, mode: incremental_dedupe }', ''].join('\n'));
  });
  after(() => world.close());

  it('lands the files once and syncs them in batches by cursor, new rows only on the next run', async () => {
    const first = await sluice(world.dir, ['run', 'files']);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /upserted 40 rows into prices .* in 3 batch\(es\)/);
    const { writeProject } = await import('./cli-helpers.ts');
    writeProject(world.dir, { 'data/prices.csv': `id,amount,seen_at\n1,999.00,2024-01-01 00:00:00\n41,82.50,2024-01-01 00:00:41\n` });
    const second = await sluice(world.dir, ['run', 'files']);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.match(second.stdout, /upserted 1 rows into prices .* after id = 40; cursor id = 41/);
    const [row] = await world.query('pg', `SELECT count(*)::int AS n, sum(id)::int AS s, max(amount)::text AS m FROM ${world.name}.prices`);
    // id 1 changed in the file, but its cursor did not move past the committed one: it is not synced again.
    assert.deepEqual([row!.n, row!.s, Number(row!.m)], [41, (41 * 42) / 2, 82.5]);
  });
});
