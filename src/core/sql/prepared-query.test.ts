import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { testPgUrl } from '../../testing/prerequisite-checks.ts';
import { requirePrerequisites } from '../../testing/require-prerequisites.ts';
import { preparedQuery } from './prepared-query.ts';
import { quoteIdent } from './quote.ts';

const skip = await requirePrerequisites('postgres');

describe('preparedQuery', () => {
  it('names a text by its hash: the same text one name, two texts two', () => {
    const a = preparedQuery('SELECT $1::int AS n', [1]);
    assert.equal(preparedQuery('SELECT $1::int AS n', [2]).name, a.name);
    assert.notEqual(preparedQuery('SELECT $1::int AS m', [1]).name, a.name);
    assert.deepEqual(a.values, [1]);
  });
});

describe('preparedQuery on PostgreSQL', { skip }, () => {
  const table = quoteIdent(`prepared_${randomBytes(4).toString('hex')}`);
  let client: pg.Client;
  before(async () => {
    if (skip) return;
    client = new pg.Client({ connectionString: testPgUrl() });
    await client.connect();
    await client.query(`CREATE TABLE ${table} (id int PRIMARY KEY, v text)`);
  });
  after(async () => {
    if (skip) return;
    await client.query(`DROP TABLE IF EXISTS ${table}`);
    await client.end();
  });

  it('keeps working when a migration adds a column under a statement that names its columns, where a * is refused', async () => {
    const upsert = (id: number) => preparedQuery(`INSERT INTO ${table} (id, v) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET v = excluded.v RETURNING id, v`, [id, 'x']);
    const star = preparedQuery(`SELECT * FROM ${table} WHERE id = $1`, [1]);
    assert.deepEqual((await client.query(upsert(1))).rows, [{ id: 1, v: 'x' }]);
    await client.query(star);
    await client.query(`ALTER TABLE ${table} ADD COLUMN added int`);
    assert.deepEqual((await client.query(upsert(2))).rows, [{ id: 2, v: 'x' }]);
    await assert.rejects(client.query(star), /cached plan must not change result type/);
  });
});
