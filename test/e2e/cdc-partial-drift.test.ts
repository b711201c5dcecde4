import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sluice } from './cli-helpers.ts';
import { createWorld, type IntegrationWorld } from './integration-fixtures.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { describeDriftEvent, listDriftEvents, type DriftEvent } from './drift-events.ts';

const skip = await requirePrerequisites('postgres', 'postgres-logical-replication');

/**
 * A PostgreSQL table with a large text column stored out of line (TOASTed),
 * replicated by logical replication (mode cdc, REPLICA IDENTITY DEFAULT). An
 * update that leaves the large value alone arrives without it: the update
 * carries only some of the row's columns. Those partial images must not read
 * as a dropped column or as a jump in null rates, alone or beside full images
 * in one batch, under the strictest drift setting.
 */
describe('partial CDC updates and drift (pg -> pg, logical replication)', { skip }, () => {
  let world: IntegrationWorld;
  const runs: Awaited<ReturnType<typeof sluice>>[] = [];
  const events = (): Promise<DriftEvent[]> => listDriftEvents(world.dir, 'cdc_partial');
  // 200 md5s: 6,400 characters, stored uncompressed out of line (STORAGE EXTERNAL).
  const blob = `(SELECT string_agg(md5(g::text), '') FROM generate_series(1, 200) g)`;
  before(async () => {
    world = await createWorld('cdc_partial');
    await world.query('pg', `CREATE TABLE ${world.name}.docs (id int PRIMARY KEY, amount int, sold_on text, body text)`);
    await world.query('pg', `ALTER TABLE ${world.name}.docs ALTER COLUMN body SET STORAGE EXTERNAL`);
    await world.query('pg', `INSERT INTO ${world.name}.docs SELECT i, i, '2024-03-07', ${blob} FROM generate_series(1, 150) i`);
    // Under the strictest setting a false drift fails the run, so a pass says no drift was read.
    world.pipeline(
      'cdc_partial',
      ['kind: integration', 'source: pg', 'destination: pg', 'streams:', '  - { table: docs, name: docs, destination_table: docs_copy, mode: cdc, drift: { on_drift: fail, null_rate_jump: 0.05 } }', ''].join('\n'),
    );
    const first = await sluice(world.dir, ['run', 'cdc_partial']);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /snapshot of 150 rows/);
  });
  after(async () => {
    await sluice(world.dir, ['cdc', 'drop', 'cdc_partial']).catch(() => undefined);
    await world.close();
  });

  it('150 updates that leave the TOASTed value alone apply without any drift, and keep the large values', async () => {
    await world.query('pg', `UPDATE ${world.name}.docs SET amount = amount + 1000`);
    const run = await sluice(world.dir, ['run', 'cdc_partial']);
    runs.push(run);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /150 changes/);
    assert.deepEqual(await events(), []);
    const [copy] = await world.query(
      'pg',
      `SELECT count(*) AS n, min(amount) AS low, count(*) FILTER (WHERE body = ${blob}) AS whole FROM ${world.name}.docs_copy`,
    );
    assert.deepEqual([Number(copy!.n), Number(copy!.low), Number(copy!.whole)], [150, 1001, 150]);
  });

  it('partial updates beside full images in one batch: only the full images are judged, against the snapshot', async () => {
    // One transaction: 150 partial images, 120 inserted full images, a third of them with a new date format.
    await world.query(
      'pg',
      `BEGIN;
       UPDATE ${world.name}.docs SET amount = amount + 1000 WHERE id <= 150;
       INSERT INTO ${world.name}.docs SELECT i, i, CASE WHEN i % 3 = 0 THEN '03/07/2024' ELSE '2024-03-07' END, ${blob} FROM generate_series(151, 270) i;
       COMMIT`,
    );
    const run = await sluice(world.dir, ['run', 'cdc_partial']);
    runs.push(run);
    assert.equal(run.code, 1, 'drift: fail refuses the new date format');
    const found = (await events()).map(describeDriftEvent);
    assert.deepEqual(found, ['sold_on format_changed failed 40'], 'no dropped body, no jump in its nulls');
    const [copy] = await world.query('pg', `SELECT count(*) AS n, min(amount) AS low FROM ${world.name}.docs_copy`);
    assert.deepEqual([Number(copy!.n), Number(copy!.low)], [150, 1001], 'nothing of the refused batch was applied');
  });
});
