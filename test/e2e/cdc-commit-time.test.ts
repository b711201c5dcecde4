import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sluice } from './cli-helpers.ts';
import { createWorld, type IntegrationWorld } from './integration-fixtures.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('postgres', 'postgres-logical-replication', 'mariadb');

/** The source server's own clock: the commit time must fall between two readings of it, whatever this machine's clock says. */
async function serverNow(world: IntegrationWorld): Promise<number> {
  const [row] = await world.query('pg', 'SELECT extract(epoch FROM clock_timestamp())::float8 * 1000 AS ms');
  return Number(row!.ms);
}

describe('the source commit time of a CDC sync', { skip }, () => {
  let world: IntegrationWorld;
  before(async () => {
    world = await createWorld('cdctime');
    await world.query('pg', `CREATE TABLE ${world.name}.events (id int PRIMARY KEY, what text)`);
    world.pipeline('cdc_time', ['kind: integration', 'source: pg', 'destination: warehouse', 'streams:', '  - { table: events, mode: cdc }', ''].join('\n'));
  });
  after(async () => {
    await sluice(world.dir, ['cdc', 'drop', 'cdc_time']).catch(() => undefined);
    await world.close();
  });

  it('is the moment the source committed, by the source server clock, in cdc status and the run log', async () => {
    const snapshot = await sluice(world.dir, ['run', 'cdc_time']);
    assert.equal(snapshot.code, 0, snapshot.stdout + snapshot.stderr);

    const before = await serverNow(world);
    await world.query('pg', `INSERT INTO ${world.name}.events VALUES (1, 'one'), (2, 'two')`);
    const afterCommit = await serverNow(world);
    const changes = await sluice(world.dir, ['run', 'cdc_time']);
    assert.equal(changes.code, 0, changes.stdout + changes.stderr);

    const status = await sluice(world.dir, ['cdc', 'status', 'cdc_time', '--json']);
    assert.equal(status.code, 0, status.stdout + status.stderr);
    const { sourceCommitTime } = JSON.parse(status.stdout) as { sourceCommitTime?: string };
    assert.ok(sourceCommitTime, status.stdout);
    const committed = Date.parse(sourceCommitTime);
    // The wire carries microseconds; the stored time keeps milliseconds, so allow one either side.
    assert.ok(committed >= before - 1 && committed <= afterCommit + 1, `commit time ${sourceCommitTime} lies between ${new Date(before).toISOString()} and ${new Date(afterCommit).toISOString()}`);

    const runId = /Run succeeded (\S+?):/.exec(changes.stdout)?.[1];
    const logs = await sluice(world.dir, ['logs', runId!]);
    assert.match(logs.stdout, new RegExp(`source commit ${sourceCommitTime.replace(/[.]/g, '\\.')}`));
  });
});
