import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sluice } from './cli-helpers.ts';
import { createWorld, type IntegrationWorld } from './integration-fixtures.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { driftEventsOf, listDriftEvents, type DriftEvent } from './drift-events.ts';

const skip = await requirePrerequisites('postgres');

/**
 * One PostgreSQL table synced into another PostgreSQL schema's tables under
 * each schema contract; between two syncs the source gains a column and its
 * text dates change from 2024-03-07 to 03/07/2024.
 */
describe('drift in integration streams (pg -> pg)', { skip }, () => {
  let world: IntegrationWorld;
  let second: Awaited<ReturnType<typeof sluice>>;
  let events: DriftEvent[];
  before(async () => {
    world = await createWorld('stream_drift');
    await world.query('pg', `CREATE TABLE ${world.name}.sales (id int PRIMARY KEY, sold_on text, updated_at timestamp)`);
    await world.query('pg', `INSERT INTO ${world.name}.sales VALUES (1, '2024-03-07', '2024-03-07'), (2, '2024-03-08', '2024-03-08'), (3, '2024-03-09', '2024-03-09')`);
    world.pipeline(
      'sales',
      [
        'kind: integration',
        'source: pg',
        'destination: pg',
        'streams:',
        '  - { table: sales, name: evolved, destination_table: sales_evolved, cursor: updated_at, mode: incremental_append, schema_contract: evolve }',
        '  - { table: sales, name: discarded, destination_table: sales_discard, cursor: updated_at, mode: incremental_append, schema_contract: discard_row }',
        // A failed stream stops the streams after it, so freeze comes last.
        '  - { table: sales, name: frozen, destination_table: sales_frozen, cursor: updated_at, mode: incremental_append, schema_contract: freeze }',
        '',
      ].join('\n'),
    );
    const first = await sluice(world.dir, ['run', 'sales']);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.doesNotMatch(first.stdout + first.stderr, /drift in/, 'the first sync only sets the baseline');
    await world.query('pg', `ALTER TABLE ${world.name}.sales ADD COLUMN channel text`);
    await world.query(
      'pg',
      `INSERT INTO ${world.name}.sales VALUES (4, '03/10/2024', '2024-03-10', 'web'), (5, '03/11/2024', '2024-03-11', NULL), (6, '03/12/2024', '2024-03-12', NULL), (7, '2024-03-13', '2024-03-13', NULL)`,
    );
    second = await sluice(world.dir, ['run', 'sales']);
    events = await listDriftEvents(world.dir, 'sales');
  });
  after(() => world.close());

  const of = (stream: string): string[] => driftEventsOf(events, stream);

  it('records the new column and the changed date format of each stream with the run where they began', () => {
    assert.equal(second.code, 1, second.stdout + second.stderr);
    const runIds = new Set(events.map((e) => e.runId));
    assert.equal(runIds.size, 1);
    assert.ok(second.stdout.includes([...runIds][0]!), 'the second sync began the drift');
    const format = events.find((e) => e.block === 'evolved' && e.kind === 'format_changed');
    assert.equal(format?.after, 'mixed (75% 99/99/9999)');
    assert.deepEqual(format?.samples?.map((row) => row.sold_on), ['03/10/2024', '03/11/2024', '03/12/2024']);
  });

  it('evolve accepts the new column, adds it, and warns about the format, loading every row', async () => {
    assert.deepEqual(of('evolved'), ['channel added_column accepted 1', 'sold_on format_changed warned 3']);
    assert.match(second.stdout + second.stderr, /drift in evolved: format of sold_on changed: 9999-99-99 -> mixed \(75% 99\/99\/9999\) \(3 rows\)/);
    const rows = await world.query('pg', `SELECT id, channel FROM ${world.name}.sales_evolved ORDER BY id`);
    assert.deepEqual(rows.map((r) => `${r.id} ${r.channel}`), ['1 null', '2 null', '3 null', '4 web', '5 null', '6 null', '7 null']);
  });

  it('discard_row sets the rows in the new format aside in the rejects table with their reason, and lands the rest', async () => {
    assert.deepEqual(of('discarded'), ['channel added_column warned 1', 'sold_on format_changed discarded 3']);
    const kept = await world.query('pg', `SELECT id FROM ${world.name}.sales_discard ORDER BY id`);
    assert.deepEqual(kept.map((r) => r.id), [1, 2, 3, 7]);
    const rejects = await world.query('pg', `SELECT _sluice_reason AS reason, _sluice_row AS raw FROM ${world.name}.sales_discard__rejects ORDER BY _sluice_row`);
    assert.deepEqual(
      rejects.map((r) => [(JSON.parse(String(r.raw)) as { id: number }).id, r.reason]),
      [4, 5, 6].map((id) => [id, 'sold_on: 99/99/9999 does not match the established 9999-99-99']),
    );
  });

  it('freeze fails on the new column, records the refusal as drift, and writes nothing', async () => {
    assert.deepEqual(of('frozen'), ['channel added_column failed 1', 'sold_on format_changed warned 3']);
    assert.match(second.stderr, /stream 'frozen'.*schema contract is freeze; nothing was written/s);
    const [frozen] = await world.query('pg', `SELECT count(*) AS n FROM ${world.name}.sales_frozen`);
    assert.equal(Number(frozen!.n), 3);
  });

  it('on the next sync, evolve compares with the batch it committed, discard_row keeps the established format, and freeze still refuses', async () => {
    // Its one row has no channel: a null rate of one row is no jump worth a warning.
    await world.query('pg', `INSERT INTO ${world.name}.sales VALUES (8, '03/14/2024', '2024-03-14', NULL)`);
    const third = await sluice(world.dir, ['run', 'sales']);
    const listed = JSON.parse((await sluice(world.dir, ['drift', 'sales', '--json'])).stdout) as DriftEvent[];
    const fresh = listed.filter((e) => !events.some((old) => old.runId === e.runId)).map((e) => `${e.block} ${e.column} ${e.action}`);
    assert.deepEqual(fresh.sort(), ['discarded sold_on discarded', 'frozen channel failed', 'frozen sold_on warned'], third.stdout + third.stderr);
    const rows = await world.query('pg', `SELECT id FROM ${world.name}.sales_evolved WHERE id = 8`);
    assert.equal(rows.length, 1);
  });
});
