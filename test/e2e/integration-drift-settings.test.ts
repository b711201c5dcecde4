import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sluice } from './cli-helpers.ts';
import { createWorld, type IntegrationWorld } from './integration-fixtures.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { driftEventsOf, listDriftEvents, type DriftEvent } from './drift-events.ts';

const skip = await requirePrerequisites('postgres');

/**
 * One PostgreSQL table synced into another schema by five streams of one
 * pipeline whose `drift:` is `fail`, each stream overriding it (or not).
 * Between two syncs 150 rows arrive whose text dates change from 2024-03-07
 * to 03/07/2024 on a third of them, and whose note is null on a tenth (none
 * were before): a null-rate rise of 10 points, under the default 20.
 */
describe('per-stream drift settings in an integration sync (pg -> pg)', { skip }, () => {
  let world: IntegrationWorld;
  let second: Awaited<ReturnType<typeof sluice>>;
  let events: DriftEvent[];
  const rows = (from: number, count: number, drifted: boolean): string =>
    Array.from({ length: count }, (_, i) => {
      const id = from + i;
      const day = String((id % 28) + 1).padStart(2, '0');
      const soldOn = drifted && i % 3 === 0 ? `03/${day}/2024` : `2024-03-${day}`;
      const note = drifted && i % 10 === 0 ? 'NULL' : `'n${id}'`;
      return `(${id}, '${soldOn}', ${note}, '2024-01-01'::timestamp + interval '${id} minutes')`;
    }).join(', ');
  before(async () => {
    world = await createWorld('stream_drift_settings');
    await world.query('pg', `CREATE TABLE ${world.name}.sales (id int PRIMARY KEY, sold_on text, note text, updated_at timestamp)`);
    await world.query('pg', `INSERT INTO ${world.name}.sales VALUES ${rows(1, 150, false)}`);
    const stream = (name: string, extra: string): string =>
      `  - { table: sales, name: ${name}, destination_table: sales_${name}, cursor: updated_at, mode: incremental_append${extra} }`;
    world.pipeline(
      'sales',
      [
        'kind: integration',
        'source: pg',
        'destination: pg',
        'drift: fail',
        'streams:',
        stream('loose', ', drift: warn'),
        stream('aside', ', drift: discard_row'),
        stream('contract_aside', ', schema_contract: discard_row, drift: warn'),
        stream('quiet', ', drift: off'),
        stream('touchy', ', drift: { on_drift: warn, null_rate_jump: 0.05 }'),
        // A failed stream stops the streams after it, so the one that keeps the pipeline's fail comes last.
        stream('strict', ''),
        '',
      ].join('\n'),
    );
    const first = await sluice(world.dir, ['run', 'sales']);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    await world.query('pg', `INSERT INTO ${world.name}.sales VALUES ${rows(151, 150, true)}`);
    second = await sluice(world.dir, ['run', 'sales']);
    events = await listDriftEvents(world.dir, 'sales');
  });
  after(() => world.close());

  const of = (stream: string): string[] => driftEventsOf(events, stream);
  const count = async (table: string): Promise<number> => Number((await world.query('pg', `SELECT count(*) AS n FROM ${world.name}.${table}`))[0]!.n);

  it('a stream that keeps the pipeline’s drift: fail refuses the batch, records the drift as failed, and writes nothing of it', async () => {
    assert.equal(second.code, 1, second.stdout + second.stderr);
    assert.match(second.stderr, /stream 'strict': a batch drifted from the rows last committed \(drift: fail\); nothing of it was written/);
    assert.match(second.stderr, /format of sold_on changed.* in 50 rows/);
    assert.deepEqual(of('strict'), ['sold_on format_changed failed 50']);
    assert.equal(await count('sales_strict'), 150);
  });

  it('drift: warn on a stream loads every row and warns, under the pipeline’s fail and under a discard_row contract', async () => {
    assert.deepEqual(of('loose'), ['sold_on format_changed warned 50']);
    assert.equal(await count('sales_loose'), 300);
    assert.deepEqual(of('contract_aside'), ['sold_on format_changed warned 50']);
    assert.equal(await count('sales_contract_aside'), 300);
  });

  it('drift: discard_row on an evolve stream sets the rows in the new format aside in its rejects table', async () => {
    assert.deepEqual(of('aside'), ['sold_on format_changed discarded 50']);
    assert.equal(await count('sales_aside'), 250);
    const reasons = await world.query('pg', `SELECT DISTINCT _sluice_reason AS reason FROM ${world.name}.sales_aside__rejects`);
    assert.deepEqual(reasons.map((r) => r.reason), ['sold_on: 99/99/9999 does not match the established 9999-99-99']);
    assert.equal(await count('sales_aside__rejects'), 50);
  });

  it('drift: off judges nothing and loads every row', async () => {
    assert.deepEqual(of('quiet'), []);
    assert.equal(await count('sales_quiet'), 300);
  });

  it('a stream’s null_rate_jump catches a rise in nulls the default lets pass', async () => {
    assert.deepEqual(of('touchy'), ['note null_rate_jump warned 15', 'sold_on format_changed warned 50']);
    assert.ok(!events.some((e) => e.block !== 'touchy' && e.kind === 'null_rate_jump'), JSON.stringify(events));
  });

  it('the refused batch is read again by the next sync, and fails again until the setting or the source changes', async () => {
    const third = await sluice(world.dir, ['run', 'sales']);
    assert.equal(third.code, 1, third.stdout + third.stderr);
    assert.match(third.stderr, /stream 'strict'.*drift: fail/s);
    assert.equal(await count('sales_strict'), 150);
    assert.equal(await count('sales_loose'), 300, 'nothing new for the other streams');
  });
});
