import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { sluice, tempDir, writeProject } from './cli-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('postgres');
const url = process.env.SLUICE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface LineageJson {
  graph: { nodes: { id: string }[]; edges: { from: string; to: string }[] };
}

describe('lineage of a TypeScript block, recorded from the queries it sent at run time', { skip }, () => {
  const { dir, cleanup } = tempDir('sluice-ts-lineage-');
  const schema = `sluice_ts_lineage_${randomBytes(4).toString('hex')}`;
  let admin: pg.Client;
  after(async () => {
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin?.end();
    cleanup();
  });

  before(async () => {
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    writeProject(dir, {
      'sluice.yaml': 'name: recorded\n',
      'connections.yaml': `connections:\n  shop:\n    connector: postgres\n    url: ${url}\n    schema: ${schema}\n`,
      // No reads: or writes: here: the block's queries say what it touches.
      'pipelines/totals.yaml': 'blocks:\n  - { name: tally, file: blocks/tally.ts }\n',
      'blocks/tally.ts': [
        "import { defineLoader } from 'sluice';",
        'export default defineLoader(async (_, ctx) => {',
        "  const shop = await ctx.connection('shop');",
        "  await shop.query('CREATE TABLE IF NOT EXISTS orders AS SELECT 1 AS id, 10.5::float8 AS amount');",
        "  await shop.query('CREATE TABLE IF NOT EXISTS day_totals (total float8)');",
        "  await shop.query('INSERT INTO day_totals SELECT sum(amount) FROM orders WHERE id > $1', [0]);",
        "  return await shop.query('SELECT total FROM day_totals');",
        '});',
        '',
      ].join('\n'),
      // A second pipeline reads what the block wrote, so lineage links the two.
      'pipelines/report.yaml': 'blocks:\n  - { name: read_totals, role: loader, connection: shop, settings: { table: day_totals } }\n',
    });
  });

  it('shows nothing for the block before it has run', async () => {
    const shown = await sluice(dir, ['lineage', '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    const { graph } = JSON.parse(shown.stdout) as LineageJson;
    assert.deepEqual(graph.edges.filter((e) => e.from === 'block:totals/tally' || e.to === 'block:totals/tally'), []);
  });

  it('after a run, shows the tables it read and wrote, linked to the pipeline that reads them', async () => {
    const run = await sluice(dir, ['run', 'totals']);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const json = await sluice(dir, ['lineage', '--json']);
    const { graph } = JSON.parse(json.stdout) as LineageJson;
    const edges = graph.edges.map((e) => `${e.from} -> ${e.to}`).sort();
    assert.deepEqual(
      edges.filter((e) => e.includes('totals/tally')),
      // It created and filled both tables, and read both back.
      ['block:totals/tally -> table:shop.day_totals', 'block:totals/tally -> table:shop.orders', 'table:shop.day_totals -> block:totals/tally', 'table:shop.orders -> block:totals/tally'],
    );
    assert.ok(edges.includes('table:shop.day_totals -> block:report/read_totals'), edges.join('\n'));

    const traced = await sluice(dir, ['lineage', 'day_totals']);
    assert.equal(traced.code, 0, traced.stderr);
    assert.match(traced.stdout, /upstream:\n\s+totals\.tally \(\w+, pipelines\/totals\.yaml:\d+\)\n\s+table shop\.orders/);
    assert.match(traced.stdout, /downstream:\n\s+report\.read_totals/);
  });

  it('warns in validate, naming both writers, when another pipeline writes a table the block was recorded writing', async () => {
    writeProject(dir, {
      'pipelines/recount.yaml': [
        'blocks:',
        '  - { name: sum_totals, file: blocks/sum_totals.sql }',
        '  - { name: land_totals, role: exporter, connection: shop, upstream: [sum_totals], settings: { table: day_totals } }',
        '',
      ].join('\n'),
      'blocks/sum_totals.sql': 'SELECT 10.5 AS total\n',
    });
    const validate = await sluice(dir, ['validate']);
    assert.equal(validate.code, 0, validate.stderr + validate.stdout);
    assert.match(validate.stdout, /warning: shop\.day_totals is written by 2 pipelines: recount\.land_totals and totals\.tally/);
    const json = JSON.parse((await sluice(dir, ['lineage', '--json'])).stdout) as { warnings: { table: string; writers: string[] }[] };
    assert.deepEqual(json.warnings.map((w) => [w.table, w.writers]), [['shop.day_totals', ['recount.land_totals', 'totals.tally']]]);
  });
});
