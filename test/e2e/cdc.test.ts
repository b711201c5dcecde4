import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { sluice } from './cli-helpers.ts';
import { createWorld, pgUrl, type IntegrationWorld, type Side } from './integration-fixtures.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('postgres', 'postgres-logical-replication', 'mariadb');

/** The rows as text, comparable across databases. */
async function rows(world: IntegrationWorld, side: Side, table: string): Promise<string[]> {
  const sql: Record<Side, string> = {
    pg: `SELECT id, qty, big::text AS big, amount::text AS amount, note, done::int AS done FROM ${world.name}.${table} ORDER BY id`,
    maria: `SELECT id, qty, CAST(big AS CHAR) AS big, CAST(amount AS CHAR) AS amount, note, CAST(done AS SIGNED) AS done FROM ${world.name}.${table} ORDER BY id`,
    warehouse: `SELECT id, qty, big::VARCHAR AS big, amount::VARCHAR AS amount, note, done::INT AS done FROM ${table} ORDER BY id`,
  };
  return (await world.query(side, sql[side])).map((r) => [r.id, r.qty, r.big, r.amount, r.note, r.done].map((v) => (v === null ? 'null' : String(v))).join('|'));
}

async function slots(like: string): Promise<number> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    return (await client.query('SELECT 1 FROM pg_replication_slots WHERE slot_name LIKE $1', [`%${like}%`])).rowCount ?? 0;
  } finally {
    await client.end();
  }
}

const destinations: { side: Side; connection: string }[] = [
  { side: 'pg', connection: 'pg' },
  { side: 'maria', connection: 'maria' },
  { side: 'warehouse', connection: 'warehouse' },
];

describe('sluice run on an integration pipeline with mode cdc', { skip }, () => {
  let world: IntegrationWorld;
  before(async () => {
    world = await createWorld('cdc');
    await world.query('pg', `CREATE TABLE ${world.name}.orders (id int PRIMARY KEY, qty int, big bigint, amount numeric(38,10), note text, done boolean)`);
    await world.query('pg', `INSERT INTO ${world.name}.orders VALUES (1, 1, 9007199254740993, 0.1234567891, 'first', false), (2, 2, NULL, NULL, NULL, NULL)`);
  });
  after(async () => {
    for (const d of destinations) await sluice(world.dir, ['cdc', 'drop', `cdc_${d.side}`]).catch(() => undefined);
    await world.close();
  });

  for (const [index, d] of destinations.entries()) {
    const base = (index + 1) * 100;
    it(`replicates a snapshot and then inserts, updates and deletes into ${d.side}, and shows the slot's lag`, async () => {
      const pipeline = `cdc_${d.side}`;
      const target = `orders_${d.side}`;
      world.pipeline(pipeline, ['kind: integration', 'source: pg', `destination: ${d.connection}`, 'batch_size: 2', 'streams:', `  - { table: orders, destination_table: ${target}, mode: cdc }`, ''].join('\n'));
      const first = await sluice(world.dir, ['run', pipeline]);
      assert.equal(first.code, 0, first.stdout + first.stderr);
      assert.match(first.stdout, /snapshot of \d+ rows/);
      assert.deepEqual(await rows(world, d.side, target), await rows(world, 'pg', 'orders'));

      await world.query('pg', `INSERT INTO ${world.name}.orders SELECT i, i, -i, i / 7.0, 'n' || i, i % 2 = 0 FROM generate_series(${base + 10}, ${base + 20}) i`);
      await world.query('pg', `UPDATE ${world.name}.orders SET qty = qty * 100, note = 'changed' WHERE id IN (1, ${base + 10}, ${base + 11})`);
      await world.query('pg', `DELETE FROM ${world.name}.orders WHERE id IN (2, ${base + 12})`);
      const second = await sluice(world.dir, ['run', pipeline]);
      assert.equal(second.code, 0, second.stdout + second.stderr);
      assert.deepEqual(await rows(world, d.side, target), await rows(world, 'pg', 'orders'));

      const third = await sluice(world.dir, ['run', pipeline]);
      assert.equal(third.code, 0, third.stdout + third.stderr);
      assert.match(third.stdout, / 0 changes in 0 transactions/);
      const runId = /Run succeeded (\S+?):/.exec(second.stdout)?.[1];
      const logs = await sluice(world.dir, ['logs', runId!]);
      assert.match(logs.stdout, /applied \d+ changes? \(\d+ transactions?\) up to [0-9A-F]+\/[0-9A-F]+/);
      assert.match(logs.stdout, /slot lag \d+ bytes/);
      assert.deepEqual(await rows(world, d.side, target), await rows(world, 'pg', 'orders'));

      const shown = await sluice(world.dir, ['state', 'show', pipeline]);
      assert.equal(shown.code, 0, shown.stdout + shown.stderr);
      assert.match(shown.stdout, /"mode":"cdc"/);
      assert.match(shown.stdout, /"position":"[0-9A-F]+\/[0-9A-F]+"/);
      assert.match(shown.stdout, /cdc slot \S+: lag \d+ bytes/);
      const status = await sluice(world.dir, ['cdc', 'status', pipeline, '--json']);
      assert.equal(status.code, 0, status.stdout + status.stderr);
      const parsed = JSON.parse(status.stdout) as { slot: string; lagBytes: string; appliedPosition: string };
      assert.ok(Number(parsed.lagBytes) >= 0);
      assert.match(parsed.appliedPosition, /^[0-9A-F]+\/[0-9A-F]+$/);

      const dropped = await sluice(world.dir, ['cdc', 'drop', pipeline]);
      assert.equal(dropped.code, 0, dropped.stdout + dropped.stderr);
      assert.equal(await slots(parsed.slot), 0);
    });
  }

  it('names the table when it has no primary key, and creates no slot', async () => {
    await world.query('pg', `CREATE TABLE ${world.name}.events (at timestamptz, what text)`);
    world.pipeline('cdc_nokey', ['kind: integration', 'source: pg', 'destination: pg', 'streams:', '  - { table: events, destination_table: events_copy, mode: cdc }', ''].join('\n'));
    const result = await sluice(world.dir, ['run', 'cdc_nokey']);
    assert.notEqual(result.code, 0);
    assert.match(result.stdout + result.stderr, /table \S+\.events in connection 'pg' has no primary key/);
    assert.equal(await slots('cdc_nokey'), 0);
  });
});
