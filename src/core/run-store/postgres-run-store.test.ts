import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { SluiceError } from '../errors.ts';
import { quoteIdent } from '../sql/quote.ts';
import { postgresMigrations } from './postgres-migrations.ts';
import { PostgresRunStore } from './postgres-run-store.ts';
import { describeRunStoreContract } from './run-store-contract.ts';
import { requirePrerequisites } from '../../testing/require-prerequisites.ts';

const skip = await requirePrerequisites('postgres');

const url = process.env.SLUICE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const prefix = `sluice_runs_${process.pid}_${Date.now().toString(36)}`;
const schemas = new Set<string>();
let count = 0;
let admin: pg.Client;

/** A schema name of this test run, dropped at the end. */
function newSchema(): string {
  const schema = `${prefix}_${++count}`;
  schemas.add(schema);
  return schema;
}

async function drop(schema: string): Promise<void> {
  await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
}

before(async () => {
  if (skip) return;
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
});

after(async () => {
  if (skip) return;
  for (const schema of schemas) await drop(schema);
  await admin?.end();
});

/**
 * Empties the contract's schema after each case instead of creating and
 * migrating a new one: the migrations were nearly all of the contract's time.
 * Its first case still creates the schema; a fresh schema opened by several
 * stores at once is the case below. DELETE, because TRUNCATE makes new files
 * for every table (about 30 times slower here); the audit log refuses both
 * through its triggers, which a replica session does not fire.
 */
const contractSchema = newSchema();
async function emptyContractSchema(): Promise<void> {
  const tables = await admin.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 AND tablename <> 'schema_migrations'`, [contractSchema]);
  if (!tables.rows.length) return;
  const deletes = tables.rows.map((t) => `DELETE FROM ${quoteIdent(contractSchema)}.${quoteIdent(t.name)};`);
  // One round trip; a failed statement leaves the transaction open, to be rolled back.
  await admin.query(['BEGIN;', 'SET LOCAL session_replication_role = replica;', ...deletes, 'COMMIT;'].join('\n')).catch(async (error: unknown) => {
    await admin.query('ROLLBACK');
    throw error;
  });
}
describeRunStoreContract('PostgresRunStore', () => PostgresRunStore.open(url, { schema: contractSchema }), emptyContractSchema, skip);

describe('PostgresRunStore', { skip }, () => {
  it('creates its schema and records each migration once when two processes open it at once', async () => {
    const schema = newSchema();
    const stores = await Promise.all([1, 2, 3].map(() => PostgresRunStore.open(url, { schema })));
    await Promise.all(stores.map((store) => store.close()));
    const versions = await admin.query<{ version: number }>(`SELECT version FROM ${quoteIdent(schema)}.schema_migrations ORDER BY version`);
    assert.deepEqual(
      versions.rows.map((r) => r.version),
      postgresMigrations.map((_, i) => i + 1),
    );
  });

  it('keeps JSON as jsonb and times as timestamptz', async () => {
    const schema = newSchema();
    const store = await PostgresRunStore.open(url, { schema });
    await store.close();
    const columns = await admin.query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = $1 AND column_name IN ('variables', 'error', 'columns', 'started_at', 'lease_expires_at')
        ORDER BY table_name, column_name`,
      [schema],
    );
    assert.deepEqual(
      columns.rows.map((c) => `${c.table_name}.${c.column_name} ${c.data_type}`),
      [
        'block_runs.columns jsonb',
        'block_runs.error jsonb',
        'block_runs.started_at timestamp with time zone',
        'runs.error jsonb',
        'runs.lease_expires_at timestamp with time zone',
        'runs.started_at timestamp with time zone',
        'runs.variables jsonb',
      ],
    );
  });

  it('upgrades a schema at version 1 and keeps its runs', async () => {
    const schema = newSchema();
    const s = quoteIdent(schema);
    await admin.query(`CREATE SCHEMA ${s}; CREATE TABLE ${s}.schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    await admin.query(postgresMigrations[0]!(s));
    await admin.query(`INSERT INTO ${s}.schema_migrations (version) VALUES (1)`);
    await admin.query(
      `INSERT INTO ${s}.runs (id, pipeline, status, pipeline_version, variables, "trigger", started_at)
       VALUES ('old', 'daily', 'running', 'v1', '{}', 'manual', '2024-05-01T10:00:00Z')`,
    );
    const store = await PostgresRunStore.open(url, { schema });
    try {
      assert.equal((await store.getRun('old'))?.startedAt, '2024-05-01T10:00:00.000Z');
      assert.equal(await store.heartbeat('old', 'pid-1', 60_000), true);
    } finally {
      await store.close();
    }
  });

  it('upgrades a schema at version 2: its runs are attempt 1 and its queued runs can be claimed', async () => {
    const schema = newSchema();
    const s = quoteIdent(schema);
    await admin.query(`CREATE SCHEMA ${s}; CREATE TABLE ${s}.schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    for (const [i, migration] of postgresMigrations.slice(0, 2).entries()) {
      await admin.query(migration(s));
      await admin.query(`INSERT INTO ${s}.schema_migrations (version) VALUES ($1)`, [i + 1]);
    }
    await admin.query(
      `INSERT INTO ${s}.runs (id, pipeline, status, pipeline_version, variables, "trigger", started_at)
       VALUES ('waiting', 'daily', 'queued', 'v1', '{}', 'manual', '2024-05-01T10:00:00Z'),
              ('broken', 'daily', 'failed', 'v1', '{}', 'manual', '2024-05-01T09:00:00Z')`,
    );
    const store = await PostgresRunStore.open(url, { schema });
    try {
      assert.deepEqual((await store.listRuns()).map((r) => [r.id, r.attempt]), [['waiting', 1], ['broken', 1]]);
      assert.deepEqual(await store.claimQueuedRun('pid-1', 60_000).then((r) => [r?.id, r?.attempt]), ['waiting', 1]);
      assert.equal((await store.requeueRun('broken'))?.attempt, 2);
    } finally {
      await store.close();
    }
  });

  it('refuses UPDATE, DELETE and TRUNCATE of audit entries even to SQL that goes around the store', async () => {
    const schema = newSchema();
    const store = await PostgresRunStore.open(url, { schema });
    try {
      await store.audit.append({ actor: 'token', action: 'git.commit', target: 'abc123' });
      const table = `${quoteIdent(schema)}.audit_log`;
      await assert.rejects(admin.query(`UPDATE ${table} SET actor = 'someone else'`), /append-only/);
      await assert.rejects(admin.query(`DELETE FROM ${table}`), /append-only/);
      await assert.rejects(admin.query(`TRUNCATE ${table}`), /append-only/);
      assert.deepEqual((await store.audit.list()).entries.map((e) => `${e.actor} ${e.target}`), ['token abc123']);
    } finally {
      await store.close();
    }
  });

  it('reports a server it cannot reach without the password', async () => {
    const error = await PostgresRunStore.open('postgres://someone:hunter2@127.0.0.1:1/db', { schema: newSchema() }).then(
      () => assert.fail('opened'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof SluiceError);
    assert.equal(error.code, 'run_store.open_failed');
    assert.equal(error.retryable, true);
    assert.match(error.message, /cannot open the PostgreSQL run store at 127\.0\.0\.1:1\/db/);
    assert.doesNotMatch(error.message, /hunter2/);
  });

  it('closes more than once without failing', async () => {
    const store = await PostgresRunStore.open(url, { schema: newSchema() });
    await store.close();
    await store.close();
  });
});
