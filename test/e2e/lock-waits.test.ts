import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { sluice, writeProject } from './cli-helpers.ts';
import { lastRunOutcome, writeCutPipeline, writeCutProject } from './connection-cuts.ts';
import { createWorld, mysqlUrl, pgUrl, type IntegrationWorld } from './integration-fixtures.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('postgres', 'mariadb');

/** Seconds a load waits for a lock before it fails: longer than the few seconds after which a wait is reported. */
const lockTimeout = 8;

describe('a load waiting on a lock another session holds', { skip }, () => {
  let world: IntegrationWorld;
  before(async () => {
    world = await createWorld('lockwait');
    writeCutProject(world);
    const maria = new URL(mysqlUrl);
    maria.pathname = `/${world.name}`;
    writeProject(world.dir, {
      'connections.yaml': [
        'connections:',
        '  pg:',
        '    connector: postgres',
        `    url: "${pgUrl}"`,
        `    schema: ${world.name}`,
        `    lock_timeout: ${lockTimeout}`,
        '  pg_patient:',
        '    connector: postgres',
        `    url: "${pgUrl}"`,
        `    schema: ${world.name}`,
        '    lock_timeout: 0',
        '  maria:',
        '    connector: mysql',
        `    url: "${maria.toString()}"`,
        `    lock_timeout: ${lockTimeout}`,
        '',
      ].join('\n'),
    });
  });
  after(async () => {
    await world.query('pg', `DROP SCHEMA IF EXISTS ${world.name}_runs CASCADE`).catch(() => undefined);
    await world.close();
  });

  /** Runs the load while `hold` keeps the lock, then checks what the user and the run's log were told. */
  async function loadWhileLocked(table: string, holder: string | number): Promise<void> {
    const started = Date.now();
    const result = await sluice(world.dir, ['run', table]);
    const output = result.stdout + result.stderr;
    assert.equal(result.code, 1, output);
    assert.ok(Date.now() - started < 60_000, 'the lock timeout ended the wait');
    // The progress shows the wait, naming the lock and the session that holds it.
    const waiting = new RegExp(`waiting \\d+(\\.\\d+)? ?s for .*lock.*held by .*session ${holder} \\(`);
    assert.match(result.stdout, waiting);
    // Each of the two attempts (retries: 1) waits once on the same holder: one report each, not one a second.
    assert.equal(result.stdout.match(/waiting \S+ for /g)?.length, 2, result.stdout);
    const outcome = await lastRunOutcome((sql) => world.query('pg', sql), `${world.name}_runs`, table);
    assert.match(outcome.logs, waiting);
    assert.match(outcome.logs, /attempt 1 of 2 failed: .*lock.*timeout/i);
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.blockError?.retryable, true, JSON.stringify(outcome.blockError));
    assert.match(outcome.blockError?.message ?? '', /lock.*timeout|timeout.*lock|lock_timeout/i);
    assert.doesNotMatch(output + outcome.logs, /by hand|Cannot use a pool/);
  }

  async function rowCount(side: 'pg' | 'maria', table: string): Promise<number> {
    const [row] = await world.query(side, `SELECT count(*) AS n FROM ${world.name}.${table}`);
    return Number(row!.n);
  }

  it('PostgreSQL: reports the wait with the lock and the holding session, then fails retryably at lock_timeout', async () => {
    const table = 'locked_pg';
    await world.query('pg', `CREATE TABLE ${world.name}.${table} (id bigint, label text, amount numeric(12,2))`);
    writeCutPipeline(world, table, 'replace', 'pg');
    const holder = new pg.Client({ connectionString: pgUrl });
    await holder.connect();
    try {
      await holder.query(`BEGIN; LOCK TABLE ${world.name}.${table} IN ACCESS EXCLUSIVE MODE`);
      const { rows } = await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await loadWhileLocked(table, rows[0]!.pid);
    } finally {
      await holder.end();
    }
    assert.equal(await rowCount('pg', table), 0, 'the target is unchanged');
  });

  it("PostgreSQL: a block timeout during a lock wait fails the block without claiming a staging table is left", async () => {
    const table = 'timed_pg';
    await world.query('pg', `CREATE TABLE ${world.name}.${table} (id bigint, label text, amount numeric(12,2))`);
    world.pipeline(table, ['blocks:', '  - { name: rows, file: blocks/rows.sql }', `  - { name: load, connection: pg_patient, upstream: [rows], timeout: 6s, settings: { table: ${table} } }`, ''].join('\n'));
    const holder = new pg.Client({ connectionString: pgUrl });
    await holder.connect();
    try {
      await holder.query(`BEGIN; LOCK TABLE ${world.name}.${table} IN ACCESS EXCLUSIVE MODE`);
      const result = await sluice(world.dir, ['run', table]);
      const outcome = await lastRunOutcome((sql) => world.query('pg', sql), `${world.name}_runs`, table);
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(outcome.blockError?.message ?? '', /timed out|timeout/i);
      assert.doesNotMatch(result.stdout + result.stderr + outcome.logs, /by hand|Cannot use a pool/);
    } finally {
      await holder.end();
    }
    const stages = await world.query('pg', `SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '${world.name}' AND relname LIKE '\\_sluice\\_stage\\_%'`);
    assert.deepEqual(stages, []);
  });

  it('MariaDB: reports the wait with the lock and the holding session, then fails retryably at lock_timeout', async () => {
    const table = 'locked_maria';
    await world.query('maria', `CREATE TABLE ${world.name}.${table} (id bigint, label varchar(40), amount decimal(12,2)) ENGINE=InnoDB`);
    await world.query('maria', `INSERT INTO ${world.name}.${table} VALUES (1, 'before', 1)`);
    writeCutPipeline(world, table, 'append', 'maria');
    const holder = await mysql.createConnection({ uri: mysqlUrl });
    try {
      // Every row and gap locked: the load's inserts wait for this transaction.
      await holder.query('BEGIN');
      await holder.query(`SELECT * FROM ${world.name}.${table} FOR UPDATE`);
      const [rows] = await holder.query('SELECT CONNECTION_ID() AS id');
      await loadWhileLocked(table, (rows as { id: number }[])[0]!.id);
    } finally {
      await holder.end();
    }
    assert.equal(await rowCount('maria', table), 1, 'the target is unchanged');
  });
});
