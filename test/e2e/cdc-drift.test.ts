import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sluice } from './cli-helpers.ts';
import { createWorld, type IntegrationWorld } from './integration-fixtures.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { driftEventsOf, listDriftEvents, type DriftEvent } from './drift-events.ts';

const skip = await requirePrerequisites('postgres', 'postgres-logical-replication');

const contracts = [
  { pipeline: 'cdc_evolved', stream: 'evolved', contract: 'evolve' },
  { pipeline: 'cdc_discarded', stream: 'discarded', contract: 'discard_row' },
  { pipeline: 'cdc_frozen', stream: 'frozen', contract: 'freeze' },
] as const;

const runIdOf = (run: { stdout: string; stderr: string }): string | undefined => /Run (?:succeeded|failed) (\S+?)[: ]/.exec(run.stdout + run.stderr)?.[1];

/**
 * One PostgreSQL table replicated by logical replication (mode cdc) into
 * another schema under each schema contract, one pipeline (and slot) per
 * contract. After the snapshot, the source gains a column while the slots
 * hold its changes, and its text dates change from 2024-03-07 to 03/07/2024
 * in the same transaction that deletes a row.
 */
describe('drift in CDC streams (pg -> pg, logical replication)', { skip }, () => {
  let world: IntegrationWorld;
  const second = new Map<string, Awaited<ReturnType<typeof sluice>>>();
  let events: DriftEvent[];
  before(async () => {
    world = await createWorld('cdc_drift');
    await world.query('pg', `CREATE TABLE ${world.name}.sales (id int PRIMARY KEY, sold_on text, amount int)`);
    await world.query('pg', `INSERT INTO ${world.name}.sales VALUES (1, '2024-03-07', 10), (2, '2024-03-08', 20), (3, '2024-03-09', 30)`);
    for (const c of contracts) {
      world.pipeline(
        c.pipeline,
        ['kind: integration', 'source: pg', 'destination: pg', 'streams:', `  - { table: sales, name: ${c.stream}, destination_table: sales_${c.stream}, mode: cdc, schema_contract: ${c.contract} }`, ''].join('\n'),
      );
      const first = await sluice(world.dir, ['run', c.pipeline]);
      assert.equal(first.code, 0, first.stdout + first.stderr);
      assert.match(first.stdout, /snapshot of 3 rows/);
      assert.doesNotMatch(first.stdout + first.stderr, /drift in/, 'the snapshot only sets the baseline');
    }
    await world.query('pg', `ALTER TABLE ${world.name}.sales ADD COLUMN channel text`);
    await world.query(
      'pg',
      `BEGIN;
       INSERT INTO ${world.name}.sales VALUES (4, '03/10/2024', 40, 'web'), (5, '03/11/2024', 50, NULL), (6, '03/12/2024', 60, NULL), (7, '2024-03-13', 70, NULL);
       DELETE FROM ${world.name}.sales WHERE id = 2;
       COMMIT`,
    );
    for (const c of contracts) second.set(c.stream, await sluice(world.dir, ['run', c.pipeline]));
    events = (await listDriftEvents(world.dir)).filter((e) => contracts.some((c) => c.stream === e.block));
  });
  after(async () => {
    for (const c of contracts) await sluice(world.dir, ['cdc', 'drop', c.pipeline]).catch(() => undefined);
    await world.close();
  });

  const of = (stream: string): string[] => driftEventsOf(events, stream);
  const ids = async (table: string): Promise<number[]> => (await world.query('pg', `SELECT id FROM ${world.name}.${table} ORDER BY id`)).map((r) => Number(r.id));

  it('records each stream’s drift with the run where it began, the deleted row’s key image aside', () => {
    for (const c of contracts) {
      const runs = new Set(events.filter((e) => e.block === c.stream).map((e) => e.runId));
      assert.deepEqual([...runs], [runIdOf(second.get(c.stream)!)], `${c.stream}: ${second.get(c.stream)!.stdout}`);
    }
    assert.ok(!events.some((e) => e.kind === 'dropped_column' || e.kind === 'null_rate_jump'), JSON.stringify(events));
    const format = events.find((e) => e.block === 'evolved' && e.kind === 'format_changed');
    assert.equal(format?.after, 'mixed (75% 99/99/9999)');
    assert.deepEqual(format?.samples?.map((row) => row.sold_on).sort(), ['03/10/2024', '03/11/2024', '03/12/2024']);
  });

  it('evolve accepts the new column, adds it to the destination while streaming, and warns about the format', async () => {
    const run = second.get('evolved')!;
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /drift: 1 warned, 1 accepted/);
    assert.deepEqual(of('evolved'), ['channel added_column accepted 1', 'sold_on format_changed warned 3']);
    const rows = await world.query('pg', `SELECT id, channel FROM ${world.name}.sales_evolved ORDER BY id`);
    assert.deepEqual(rows.map((r) => `${r.id} ${r.channel}`), ['1 null', '3 null', '4 web', '5 null', '6 null', '7 null']);
  });

  it('discard_row sets the rows in the new format aside in the rejects table with their reason, and applies the rest', async () => {
    const run = second.get('discarded')!;
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /3 row\(s\) rejected/);
    assert.deepEqual(of('discarded'), ['channel added_column warned 1', 'sold_on format_changed discarded 3']);
    assert.deepEqual(await ids('sales_discarded'), [1, 3, 7]);
    const rejects = await world.query('pg', `SELECT _sluice_reason AS reason, _sluice_row AS raw FROM ${world.name}.sales_discarded__rejects`);
    assert.deepEqual(
      rejects.map((r) => [(JSON.parse(String(r.raw)) as { id: number }).id, r.reason]).sort(),
      [4, 5, 6].map((id) => [id, 'sold_on: 99/99/9999 does not match the established 9999-99-99']),
    );
  });

  it('freeze fails on the new column, records the refusal as drift, and applies nothing of the batch', async () => {
    const run = second.get('frozen')!;
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /stream 'frozen'.*schema contract is freeze; nothing was written/s);
    assert.deepEqual(of('frozen'), ['channel added_column failed 1', 'sold_on format_changed warned 3']);
    assert.deepEqual(await ids('sales_frozen'), [1, 2, 3], 'neither the inserts nor the delete were applied');
  });

  it('sluice drift shows the events with their run, and a run with nothing new adds none', async () => {
    const evolvedRun = runIdOf(second.get('evolved')!)!;
    const third = await sluice(world.dir, ['run', 'cdc_evolved']);
    assert.equal(third.code, 0, third.stdout + third.stderr);
    const shown = await sluice(world.dir, ['drift', 'cdc_evolved']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.ok(shown.stdout.includes(evolvedRun), shown.stdout);
    assert.match(shown.stdout, /sold_on/);
    assert.match(shown.stdout, /channel/);
    const listed = JSON.parse((await sluice(world.dir, ['drift', 'cdc_evolved', '--json'])).stdout) as DriftEvent[];
    assert.deepEqual([...new Set(listed.map((e) => e.runId))], [evolvedRun]);
  });
});
