import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { sluice, stop } from './cli-helpers.ts';
import { spawnSluice, writeCutPipeline, writeCutProject } from './connection-cuts.ts';
import { createWorld, type IntegrationWorld } from './integration-fixtures.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('postgres', 'mariadb');

/** Loads killed in a row before the load that must clean up after them. */
const kills = process.env.SLUICE_HEAVY === '1' ? 10 : 2;

interface Server {
  readonly side: 'pg' | 'maria';
  /** Staging tables in the world's schema or database. */
  readonly stages: string;
  /** Sessions of the loads (not the test's own) still on the server. */
  readonly loadSessions: string;
  /** A load streaming rows into a staging table: the moment to kill it. */
  readonly streamingIntoStage: string;
}

const servers = (name: string): Server[] => [
  {
    side: 'pg',
    stages: `SELECT relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '${name}' AND relname LIKE '\\_sluice\\_stage\\_%'`,
    loadSessions: `SELECT pid FROM pg_stat_activity WHERE application_name = 'sluice' AND datname = current_database() AND query LIKE '%${name}%' AND pid <> pg_backend_pid()`,
    streamingIntoStage: `SELECT a.pid FROM pg_stat_activity a JOIN pg_stat_progress_copy p ON p.pid = a.pid WHERE a.query LIKE 'COPY %${name}%_sluice_stage_%' AND p.tuples_processed > 0`,
  },
  {
    side: 'maria',
    stages: `SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${name}' AND TABLE_NAME LIKE '\\_sluice\\_stage\\_%'`,
    loadSessions: `SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '${name}' AND ID <> CONNECTION_ID()`,
    streamingIntoStage: `SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '${name}' AND INFO LIKE 'LOAD DATA %_sluice_stage_%' AND TIME_MS > 100`,
  },
];

/** Polls `probe` until it returns true; the deadline is generous because the machine may be busy. */
async function until(probe: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(10); // a polling interval
  }
}

describe('staging tables left by loads killed with SIGKILL', { skip }, () => {
  let world: IntegrationWorld;
  before(async () => {
    world = await createWorld('leftover');
    writeCutProject(world);
  });
  after(async () => {
    await world.query('pg', `DROP SCHEMA IF EXISTS ${world.name}_runs CASCADE`).catch(() => undefined);
    await world.close();
  });

  for (const server of servers('NAME')) {
    it(`${server.side}: after ${kills} killed loads in a row, the next load drops every staging table they left`, async () => {
      const s = servers(world.name).find((x) => x.side === server.side)!;
      const table = `killed_${server.side}`;
      const other = `other_${server.side}`;
      await world.query(server.side, `CREATE TABLE ${world.name}.${table} (id bigint, label varchar(40), amount decimal(12,2))`);
      writeCutPipeline(world, table, 'replace', server.side);
      writeCutPipeline(world, other, 'replace', server.side);

      for (let kill = 1; kill <= kills; kill++) {
        const run = spawnSluice(world.dir, ['run', table]);
        await until(async () => (await world.query(server.side, s.streamingIntoStage)).length > 0 || run.child.exitCode !== null, 'a load streaming into its staging table');
        await stop(run.child, 'SIGKILL');
        // The server ends a dead client's sessions on its own; the next load comes after that.
        await until(async () => (await world.query(server.side, s.loadSessions)).length === 0, "the killed load's sessions to end");
      }
      // Each load already drops what the loads killed before it left: the last one's table remains.
      const left = await world.query(server.side, s.stages);
      assert.ok(left.length >= 1, 'the last killed load left its staging table');

      // A load into another table of the same schema or database cleans up too.
      const next = await sluice(world.dir, ['run', other]);
      assert.equal(next.code, 0, next.stdout + next.stderr);
      assert.deepEqual(await world.query(server.side, s.stages), [], 'staging leftovers after the next load');
      const again = await sluice(world.dir, ['run', table]);
      assert.equal(again.code, 0, again.stdout + again.stderr);
      const [loaded] = await world.query(server.side, `SELECT count(*) AS n FROM ${world.name}.${table}`);
      assert.ok(Number(loaded!.n) > 0);
    });
  }
});
