import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { repoRoot, sluice, stop } from './cli-helpers.ts';
import { createWorld, fingerprint, type IntegrationWorld } from './integration-fixtures.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('postgres', 'mariadb');

const rows = Number(process.env.SLUICE_CRASH_ROWS ?? 300_000);

describe('an integration sync killed with SIGKILL mid-stream', { skip }, () => {
  let world: IntegrationWorld;
  before(async () => {
    world = await createWorld('synccrash');
    // Three rows share each cursor value, so batch boundaries meet ties.
    await world.query('pg', `CREATE TABLE ${world.name}.orders (id int PRIMARY KEY, amount numeric(12,2), note text, updated_at timestamp)`);
    await world.query(
      'pg',
      `INSERT INTO ${world.name}.orders SELECT i, (i % 1000) * 1.25, 'row ' || i, timestamp '2024-01-01' + (i / 3) * interval '1 second' FROM generate_series(1, ${rows}) i`,
    );
    world.pipeline(
      'crash',
      ['kind: integration', 'source: pg', 'destination: maria', 'batch_size: 2000', 'streams:', '  - { table: orders, cursor: updated_at, mode: incremental_append }', ''].join('\n'),
    );
  });
  after(() => world.close());

  it('resumes from its last committed batch and ends with exactly the source rows', async () => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin/sluice.js'), 'run', 'crash'], { cwd: world.dir, env: { ...process.env, CI: '1', NO_COLOR: '1' }, stdio: 'ignore' });
    const committed = async (): Promise<number> => {
      const state = await world.query('maria', `SELECT JSON_VALUE(state, '$.rows') AS n FROM ${world.name}._sluice_sync_state WHERE pipeline = 'crash'`).catch(() => []);
      return Number(state[0]?.n ?? 0);
    };
    const deadline = Date.now() + 120_000;
    while ((await committed()) < rows / 5 && Date.now() < deadline && child.exitCode === null) await sleep(20);
    assert.equal(child.exitCode, null, 'the sync was still running when killed');
    await stop(child, 'SIGKILL');

    // At the moment of the kill, the table holds exactly the rows its committed state describes.
    const atKill = await committed();
    assert.ok(atKill > 0 && atKill < rows, `killed mid-stream (${atKill} of ${rows} committed)`);
    assert.equal((await fingerprint(world, 'maria', `${world.name}.orders`)).rows, atKill);

    const rerun = await sluice(world.dir, ['run', 'crash']);
    assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
    assert.match(rerun.stdout, /after updated_at = /);
    const source = await fingerprint(world, 'pg', `${world.name}.orders`);
    assert.deepEqual(await fingerprint(world, 'maria', `${world.name}.orders`), source);
    assert.equal(source.rows, rows);

    const [last] = await world.query('pg', `SELECT to_char(max(updated_at), 'YYYY-MM-DD HH24:MI:SS') AS c FROM ${world.name}.orders`);
    const shown = await sluice(world.dir, ['state', 'show', 'crash', '--json']);
    const [state] = JSON.parse(shown.stdout) as { state: { cursor: string; rows: number } }[];
    assert.equal(state!.state.rows, rows);
    assert.equal(state!.state.cursor.slice(0, 19), last!.c);
  });
});
