import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { repoRoot, sluice, stop } from './cli-helpers.ts';
import { createWorld, fingerprint, type IntegrationWorld } from './integration-fixtures.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('postgres', 'postgres-logical-replication', 'mariadb');

/**
 * Source row changes made between the snapshot and the killed run: inserts, then updates, then
 * deletes. 40,000 by default, still some twenty 2,000-change batches for the kill to land among;
 * 200,000 with SLUICE_HEAVY=1.
 */
const changes = Number(process.env.SLUICE_CDC_CRASH_CHANGES ?? (process.env.SLUICE_HEAVY === '1' ? 200_000 : 40_000));

function lsnValue(text: string): bigint {
  const [high, low] = text.split('/');
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
}

describe('CDC killed with SIGKILL while applying a large change set', { skip }, () => {
  let world: IntegrationWorld;
  before(async () => {
    world = await createWorld('cdccrash');
    await world.query('pg', `CREATE TABLE ${world.name}.items (id int PRIMARY KEY, amount numeric(12,2), note text)`);
    await world.query('pg', `INSERT INTO ${world.name}.items SELECT i, i * 0.25, 'seed ' || i FROM generate_series(1, 1000) i`);
    world.pipeline('cdc_crash', ['kind: integration', 'source: pg', 'destination: maria', 'batch_size: 2000', 'streams:', '  - { table: items, mode: cdc }', ''].join('\n'));
  });
  after(async () => {
    await sluice(world.dir, ['cdc', 'drop', 'cdc_crash']);
    await world.close();
  });

  it('resumes from the last committed batch and ends equal to the source, applying nothing twice', async () => {
    const first = await sluice(world.dir, ['run', 'cdc_crash']);
    assert.equal(first.code, 0, first.stdout + first.stderr);

    // Many small source transactions: half inserts, then updates and deletes of what they inserted.
    const inserts = Math.floor(changes / 2);
    const updates = Math.floor(changes * 0.3);
    const deletes = changes - inserts - updates;
    const t = `${world.name}.items`;
    await world.query(
      'pg',
      `DO $$ BEGIN
         FOR b IN 0..${Math.ceil(inserts / 1000) - 1} LOOP
           INSERT INTO ${t} SELECT i, i * 0.5, 'new ' || i FROM generate_series(100000 + b * 1000, 100000 + LEAST(b * 1000 + 999, ${inserts - 1})) i; COMMIT;
         END LOOP;
         FOR b IN 0..${Math.ceil(updates / 1000) - 1} LOOP
           UPDATE ${t} SET amount = amount + 1, note = 'updated' WHERE id BETWEEN 100000 + b * 1000 AND 100000 + LEAST(b * 1000 + 999, ${updates - 1}); COMMIT;
         END LOOP;
         FOR b IN 0..${Math.ceil(deletes / 1000) - 1} LOOP
           DELETE FROM ${t} WHERE id BETWEEN ${100000 + inserts - deletes} + b * 1000 AND ${100000 + inserts - deletes} + LEAST(b * 1000 + 999, ${deletes - 1}); COMMIT;
         END LOOP;
       END $$`,
    );
    const [{ lsn: endText }] = (await world.query('pg', 'SELECT pg_current_wal_lsn()::text AS lsn')) as [{ lsn: string }];
    const end = lsnValue(endText);

    const committed = async (): Promise<bigint> => {
      const rows = await world.query('maria', `SELECT JSON_VALUE(state, '$.position') AS lsn FROM ${world.name}._sluice_sync_state WHERE pipeline = 'cdc_crash'`).catch(() => []);
      return rows[0]?.lsn ? lsnValue(String(rows[0].lsn)) : 0n;
    };
    const start = await committed();
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin/sluice.js'), 'run', 'cdc_crash'], { cwd: world.dir, env: { ...process.env, CI: '1', NO_COLOR: '1' }, stdio: 'ignore' });
    const deadline = Date.now() + 120_000;
    // Wait for a few committed batches, so the kill lands mid-stream rather than before the first.
    let seen = 0;
    let last = start;
    while (seen < 3 && Date.now() < deadline && child.exitCode === null) {
      const now = await committed();
      if (now !== last) {
        seen++;
        last = now;
      }
      await sleep(10);
    }
    assert.equal(child.exitCode, null, 'the run was still applying when killed');
    await stop(child, 'SIGKILL');
    const atKill = await committed();
    assert.ok(atKill > start && atKill < end, 'killed between the first committed batch and the end of the change set');

    const rerun = await sluice(world.dir, ['run', 'cdc_crash']);
    assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
    const source = await fingerprint(world, 'pg', t);
    assert.deepEqual(await fingerprint(world, 'maria', t), source);
    assert.equal(source.rows, 1000 + inserts - deletes);

    const again = await sluice(world.dir, ['run', 'cdc_crash']);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, / 0 changes in 0 transactions/);
    assert.deepEqual(await fingerprint(world, 'maria', t), source);
  });
});
