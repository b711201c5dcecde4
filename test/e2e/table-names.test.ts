import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sluice } from './cli-helpers.ts';
import { createWorld, type IntegrationWorld, type QuerySide } from './integration-fixtures.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('postgres', 'mariadb');

/** Hostile names as a pipeline file writes them (YAML single quotes: '' is one quote), and as they must land. */
const withQuote = { yaml: `'"x""; DROP TABLE t; --"'`, lands: 'x"; DROP TABLE t; --' };
const withDot = { yaml: `'"t''; DROP TABLE s.victim; --"'`, lands: "t'; DROP TABLE s.victim; --" };
const unmatchedQuote = `'x"; DROP TABLE t; --'`;

async function tableNames(world: IntegrationWorld, side: QuerySide): Promise<string[]> {
  const sql: Record<QuerySide, string> = {
    pg: `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = '${world.name}'`,
    maria: `SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${world.name}'`,
    warehouse: `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'main'`,
    sqlite: `SELECT name FROM sqlite_master WHERE type = 'table'`,
  };
  return (await world.query(side, sql[side])).map((r) => String(r.name));
}

describe('hostile table names land exactly as given, or are refused with the reason', { skip }, () => {
  let world: IntegrationWorld;
  before(async () => {
    world = await createWorld('names');
    world.pipeline('src', 'blocks:\n  - { name: a, file: blocks/q.sql }\n');
    const { writeFileSync, mkdirSync } = await import('node:fs');
    mkdirSync(`${world.dir}/blocks`, { recursive: true });
    writeFileSync(`${world.dir}/blocks/q.sql`, 'SELECT 1 AS id');
    await world.query('pg', `CREATE TABLE ${world.name}.items (id int PRIMARY KEY, updated_at timestamp)`);
    await world.query('pg', `INSERT INTO ${world.name}.items VALUES (1, '2024-01-01')`);
  });
  after(() => world.close());

  for (const to of ['warehouse', 'pg', 'maria', 'sqlite'] as const) {
    it(`an exporter into ${to}: a quoted name keeps its quote and its dot; an unmatched quote is refused`, async () => {
      world.pipeline(
        `export_${to}`,
        [
          'blocks:',
          '  - { name: a, file: blocks/q.sql }',
          `  - { name: quote, connection: ${to}, upstream: [a], settings: { table: ${withQuote.yaml} } }`,
          `  - { name: dot, connection: ${to}, upstream: [a], settings: { table: ${withDot.yaml} } }`,
          '',
        ].join('\n'),
      );
      const r = await sluice(world.dir, ['run', `export_${to}`]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const names = await tableNames(world, to);
      assert.ok(names.includes(withQuote.lands), `${withQuote.lands} in ${names.join(' | ')}`);
      assert.ok(names.includes(withDot.lands), `${withDot.lands} in ${names.join(' | ')}`);

      world.pipeline(`refused_${to}`, `blocks:\n  - { name: a, file: blocks/q.sql }\n  - { name: out, connection: ${to}, upstream: [a], settings: { table: ${unmatchedQuote} } }\n`);
      const refused = await sluice(world.dir, ['run', `refused_${to}`]);
      assert.equal(refused.code, 2, refused.stdout + refused.stderr);
      assert.match(refused.stderr, /table name 'x"; DROP TABLE t; --' holds a double quote outside a quoted part; .*double each quote inside/);
      assert.ok(!(await tableNames(world, to)).some((n) => n.startsWith('x; DROP')), 'no table lost its quote');
    });
  }

  for (const to of ['pg', 'maria', 'warehouse'] as const) {
    it(`a sync into ${to}: a quoted destination_table with a dot lands as one table; three parts are refused`, async () => {
      world.pipeline(
        `sync_${to}`,
        ['kind: integration', 'source: pg', `destination: ${to}`, 'streams:', `  - { table: items, name: s, destination_table: ${withDot.yaml}, mode: full_refresh }`, ''].join('\n'),
      );
      const r = await sluice(world.dir, ['run', `sync_${to}`]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const synced = await world.query(to, `SELECT count(*) AS n FROM ${to === 'maria' ? `\`${world.name}\`.\`${withDot.lands}\`` : `${to === 'pg' ? `${world.name}.` : ''}"${withDot.lands}"`}`);
      assert.equal(Number(synced[0]!.n), 1);

      world.pipeline(`sync3_${to}`, ['kind: integration', 'source: pg', `destination: ${to}`, 'streams:', '  - { table: items, name: s, destination_table: a.b.c, mode: full_refresh }', ''].join('\n'));
      const refused = await sluice(world.dir, ['run', `sync3_${to}`]);
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /table name 'a\.b\.c' has 3 parts; write table or (schema|database)\.table/);
    });
  }

  it('PostgreSQL: a name longer than 63 bytes is refused instead of cut short', async () => {
    const long = 'n'.repeat(70);
    world.pipeline('long_pg', `blocks:\n  - { name: a, file: blocks/q.sql }\n  - { name: out, connection: pg, upstream: [a], settings: { table: ${long} } }\n`);
    const r = await sluice(world.dir, ['run', 'long_pg']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /is 70 bytes long; PostgreSQL would cut it to its first 63 bytes/);
    assert.ok(!(await tableNames(world, 'pg')).some((n) => n.startsWith('nnnn')));
  });
});
