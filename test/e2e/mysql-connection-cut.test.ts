import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mysql from 'mysql2/promise';
import { stop } from './cli-helpers.ts';
import { assertNoCrash, assertServerSurvivesCut, cutUntil, lastRunOutcome, spawnSluice, writeCutPipeline, writeCutProject, type CutMode } from './connection-cuts.ts';
import { createWorld, mysqlUrl, type IntegrationWorld } from './integration-fixtures.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('mariadb');

/**
 * A stage of a write path, and how to find the load's session in it: by its
 * statement, and for short statements by a table lock the test holds so the
 * statement waits where it can be seen.
 */
interface Stage {
  readonly name: string;
  readonly modes: readonly CutMode[];
  /** `LIKE` pattern of the statement to cut; `%T%` stands for the target's name. */
  readonly statement: string;
  readonly lock?: 'READ' | 'WRITE';
  /** Cut only once the statement has run a while, so the cut falls mid-stream. */
  readonly streaming?: boolean;
  /** The key of an upsert or merge target: its primary key (the default), or a plain index, with which a merge deletes, then inserts. */
  readonly key?: 'primary' | 'index';
}

const stages: readonly Stage[] = [
  { name: 'creating the staging table', modes: ['replace'], statement: 'CREATE TABLE %_sluice_stage_%', lock: 'WRITE' },
  { name: 'streaming LOAD DATA into the staging table', modes: ['replace'], statement: 'LOAD DATA %_sluice_stage_%', streaming: true },
  { name: 'swapping the staging table in', modes: ['replace'], statement: 'RENAME TABLE %T%', lock: 'READ' },
  { name: 'streaming LOAD DATA into the target', modes: ['append'], statement: 'LOAD DATA %T%', streaming: true },
  { name: 'streaming INSERTs into the target', modes: ['upsert'], statement: 'INSERT INTO %T%', streaming: false },
  { name: 'streaming LOAD DATA into the merge table', modes: ['merge'], statement: 'LOAD DATA %_sluice_merge_%', streaming: true },
  { name: 'waiting to write the target in its transaction', modes: ['append'], statement: 'LOAD DATA %T%', lock: 'READ' },
  { name: 'waiting to upsert into the target', modes: ['upsert'], statement: 'INSERT INTO %T%', lock: 'READ' },
  { name: 'merging into the target', modes: ['merge'], statement: 'INSERT INTO %T%', lock: 'READ' },
  { name: 'deleting the input\'s keys from a target keyed by a plain index', modes: ['merge'], statement: 'DELETE t FROM %T%', lock: 'READ', key: 'index' },
];

describe('a MariaDB connection cut during a load', { skip }, () => {
  let world: IntegrationWorld;
  let admin: mysql.Connection;
  before(async () => {
    world = await createWorld('mycut');
    admin = await mysql.createConnection({ uri: mysqlUrl });
    writeCutProject(world);
  });
  after(async () => {
    await world.query('pg', `DROP SCHEMA IF EXISTS ${world.name}_runs CASCADE`).catch(() => undefined);
    await admin.end();
    await world.close();
  });

  /** A target holding ten rows, and a pipeline that writes the input into it with `mode`; block retries: 1. */
  async function prepare(name: string, mode: CutMode, keyed: Stage['key'] = 'primary'): Promise<void> {
    const key = mode === 'upsert' || mode === 'merge' ? (keyed === 'primary' ? ' PRIMARY KEY' : '') : '';
    const index = mode === 'merge' && keyed === 'index' ? ', INDEX (id)' : '';
    await world.query('maria', `CREATE TABLE ${world.name}.${name} (id bigint${key}, label varchar(40), amount decimal(12,2)${index}) ENGINE=InnoDB`);
    await world.query('maria', `INSERT INTO ${world.name}.${name} SELECT seq, 'before', 1 FROM seq_1_to_10`);
    writeCutPipeline(world, name, mode, 'maria');
  }

  /** The load sessions in `stage`: on this test's database, running (or waiting on a lock for) the statement. */
  function finder(stage: Stage, table: string): () => Promise<number[]> {
    const pattern = stage.statement.replace('%T%', `%${table}%`);
    return async () => {
      const [rows] = await admin.query(
        `SELECT ID AS id FROM information_schema.PROCESSLIST
          WHERE DB = ? AND ID <> CONNECTION_ID() AND INFO LIKE ?
            AND (? = 0 OR STATE LIKE '%lock%')
            AND (? = 0 OR TIME_MS > 100)`,
        [world.name, pattern, stage.lock ? 1 : 0, stage.streaming ? 1 : 0],
      );
      return (rows as { id: number }[]).map((r) => r.id);
    };
  }

  async function leftovers(): Promise<string[]> {
    const rows = await world.query('maria', `SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${world.name}' AND TABLE_NAME LIKE '\\_sluice\\_%'`);
    return rows.map((r) => String(r.t));
  }

  for (const stage of stages) {
    for (const mode of stage.modes) {
      it(`${mode}: a cut while ${stage.name} fails the block with a retryable error after its retries, and keeps the target`, async () => {
        const table = `t_${mode}_${stages.indexOf(stage)}`;
        await prepare(table, mode, stage.key);
        const fingerprint = `SELECT count(*) AS n, CAST(sum(id) AS CHAR) AS ids, min(label) AS label FROM ${world.name}.${table}`;
        const before = await world.query('maria', fingerprint);
        const holder = await mysql.createConnection({ uri: mysqlUrl });
        try {
          if (stage.lock) await holder.query(`LOCK TABLES ${world.name}.${table} ${stage.lock}`);
          const run = spawnSluice(world.dir, ['run', table]);
          const cuts = await cutUntil(run.done, finder(stage, table), async (id) => void (await admin.query(`KILL CONNECTION ${Number(id)}`).catch(() => undefined))).finally(() =>
            stop(run.child, 'SIGKILL'),
          );
          const result = await run.done;
          assertNoCrash(result);
          assert.equal(result.code, 1, result.stdout + result.stderr);
          assert.ok(cuts >= 2, `both attempts were cut (${cuts} cuts):\n${result.stdout}`);
          const state = await lastRunOutcome((sql) => world.query('pg', sql), `${world.name}_runs`, table);
          assert.equal(state.status, 'failed');
          assert.equal(state.blockError?.retryable, true, JSON.stringify(state.blockError));
          assert.match(state.logs, /attempt 1 of 2 failed: .*(lost|gone|closed|killed|connection|interrupted)/i);
        } finally {
          await holder.end().catch(() => undefined);
        }
        assert.deepEqual(await world.query('maria', fingerprint), before);
        assert.deepEqual(await leftovers(), []);
      });
    }
  }

  it('under sluice serve: a cut fails the run, and the server keeps answering and runs the next load', async () => {
    const table = 't_served';
    await prepare(table, 'append');
    await assertServerSurvivesCut(world.dir, table, finder(stages[3]!, table), async (id) => void (await admin.query(`KILL CONNECTION ${Number(id)}`).catch(() => undefined)));
  });
});
