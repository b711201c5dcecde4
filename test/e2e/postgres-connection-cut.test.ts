import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { stop } from './cli-helpers.ts';
import { assertNoCrash, assertServerSurvivesCut, cutUntil, lastRunOutcome, spawnSluice, writeCutPipeline, writeCutProject, type CutMode } from './connection-cuts.ts';
import { createWorld, pgUrl, type IntegrationWorld } from './integration-fixtures.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('postgres');

/**
 * A stage of a write path, and how to find the load's session in it: by its
 * statement, and for short statements by a lock the test holds on the target
 * so the statement waits where it can be seen.
 */
interface Stage {
  readonly name: string;
  readonly modes: readonly CutMode[];
  /** `LIKE` pattern of the statement to cut; `%T%` stands for the target's name. */
  readonly statement: string;
  readonly lock?: string;
  /** Cut a COPY only once rows have reached the server, so the cut falls mid-stream. */
  readonly streaming?: boolean;
}

const stages: readonly Stage[] = [
  { name: 'creating the staging table', modes: ['replace', 'upsert', 'merge'], statement: 'CREATE %TABLE %_sluice_stage_%', lock: 'ACCESS EXCLUSIVE' },
  { name: 'streaming COPY into the staging table', modes: ['replace', 'upsert', 'merge'], statement: 'COPY %_sluice_stage_%', streaming: true },
  { name: 'streaming COPY into the target', modes: ['append'], statement: 'COPY %T%', streaming: true },
  { name: 'waiting to write the target in its transaction', modes: ['append'], statement: 'COPY %T%', lock: 'SHARE' },
  { name: 'swapping the staging table in', modes: ['replace'], statement: 'LOCK TABLE %T%', lock: 'ACCESS SHARE' },
  { name: 'upserting from the staging table', modes: ['upsert'], statement: 'UPDATE ONLY %T%', lock: 'SHARE' },
  { name: 'merging from the staging table', modes: ['merge'], statement: 'DELETE FROM %T%', lock: 'SHARE' },
];

describe('a PostgreSQL connection cut during a load', { skip }, () => {
  let world: IntegrationWorld;
  let admin: pg.Client;
  before(async () => {
    world = await createWorld('pgcut');
    admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    writeCutProject(world);
  });
  after(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${world.name}_runs CASCADE`).catch(() => undefined);
    await admin.end();
    await world.close();
  });

  /** A target holding ten rows, and a pipeline that writes the input into it with `mode`; block retries: 1. */
  async function prepare(name: string, mode: CutMode): Promise<void> {
    const key = mode === 'upsert' || mode === 'merge' ? ' PRIMARY KEY' : '';
    await world.query('pg', `CREATE TABLE ${world.name}.${name} (id bigint${key}, label text, amount numeric(12,2))`);
    await world.query('pg', `INSERT INTO ${world.name}.${name} SELECT i, 'before', 1 FROM generate_series(1, 10) i`);
    writeCutPipeline(world, name, mode, 'pg');
  }

  /** The load sessions in `stage`: Sluice's own, on this test's schema, running (or waiting on) the statement. */
  function finder(stage: Stage, table: string): () => Promise<number[]> {
    const pattern = stage.statement.replace('%T%', `%${table}%`);
    return async () => {
      const found = await admin.query<{ pid: number }>(
        `SELECT a.pid FROM pg_stat_activity a LEFT JOIN pg_stat_progress_copy p ON p.pid = a.pid
          WHERE a.application_name = 'sluice' AND a.state = 'active' AND a.query ILIKE $1 AND a.query LIKE $2
            AND ($3::boolean IS FALSE OR a.wait_event_type = 'Lock')
            AND ($4::boolean IS FALSE OR p.tuples_processed > 0)`,
        [pattern, `%${world.name}%`, stage.lock !== undefined, stage.streaming === true],
      );
      return found.rows.map((r) => r.pid);
    };
  }

  async function leftovers(): Promise<string[]> {
    const rows = await world.query('pg', `SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '${world.name}' AND relname LIKE '\\_sluice\\_%'`);
    return rows.map((r) => String(r.relname));
  }

  for (const stage of stages) {
    for (const mode of stage.modes) {
      it(`${mode}: a cut while ${stage.name} fails the block with a retryable error after its retries, and keeps the target`, async () => {
        const table = `t_${mode}_${stages.indexOf(stage)}`;
        await prepare(table, mode);
        const before = await world.query('pg', `SELECT count(*)::int AS n, sum(id)::text AS ids, min(label) AS label FROM ${world.name}.${table}`);
        const holder = new pg.Client({ connectionString: pgUrl });
        await holder.connect();
        try {
          if (stage.lock) await holder.query(`BEGIN; LOCK TABLE ${world.name}.${table} IN ${stage.lock} MODE`);
          const run = spawnSluice(world.dir, ['run', table]);
          const cuts = await cutUntil(run.done, finder(stage, table), async (pid) => void (await admin.query('SELECT pg_terminate_backend($1)', [pid]))).finally(() => stop(run.child, 'SIGKILL'));
          const result = await run.done;
          assertNoCrash(result);
          assert.equal(result.code, 1, result.stdout + result.stderr);
          assert.ok(cuts >= 2, `both attempts were cut (${cuts} cuts):\n${result.stdout}`);
          const state = await lastRunOutcome((sql) => world.query('pg', sql), `${world.name}_runs`, table);
          assert.equal(state.status, 'failed');
          assert.equal(state.blockError?.retryable, true, JSON.stringify(state.blockError));
          assert.match(state.logs, /attempt 1 of 2 failed: .*(terminat|connection)/i);
          assert.match(result.stdout + result.stderr, /connection|terminat/i);
        } finally {
          await holder.end().catch(() => undefined);
        }
        assert.deepEqual(await world.query('pg', `SELECT count(*)::int AS n, sum(id)::text AS ids, min(label) AS label FROM ${world.name}.${table}`), before);
        assert.deepEqual(await leftovers(), []);
      });
    }
  }

  it('under sluice serve: a cut fails the run, and the server keeps answering and runs the next load', async () => {
    const table = 't_served';
    await prepare(table, 'append');
    await assertServerSurvivesCut(world.dir, table, finder(stages[2]!, table), async (pid) => void (await admin.query('SELECT pg_terminate_backend($1)', [pid])));
  });
});
