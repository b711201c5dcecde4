import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sluice, tempDir, writeProject } from './cli-helpers.ts';

const runId = (text: string): string => /Run (?:failed|succeeded) (\S+)/.exec(text)![1]!.replace(/:$/, '');

describe('data checks declared in the pipeline file', () => {
  const { dir, cleanup } = tempDir('sluice-checks-');
  after(cleanup);
  before(() =>
    writeProject(dir, {
      'sluice.yaml': 'name: checks\n',
      // 1000 orders: every 10th has no amount, 10 are refunds (with amounts); ids 1..1000 once each.
      'blocks/orders.sql': `SELECT i AS id, CASE WHEN i % 10 = 0 THEN NULL ELSE i * 1.5 END AS amount,
  CASE WHEN i % 100 = 5 THEN 'refunded' ELSE 'paid' END AS status
FROM range(1, 1001) r(i) WHERE i <= getvariable('upto')\n`,
      'blocks/totals.sql': 'SELECT count(*) AS n, sum(amount) AS total FROM orders\n',
      'pipelines/shop.yaml': [
        'variables: { upto: 1000 }',
        'blocks:',
        '  - name: orders',
        '    file: blocks/orders.sql',
        '    checks:',
        '      - unique: id',
        '      - not_null: amount',
        '        severity: quarantine',
        '      - accepted_values: { column: status, values: [paid] }',
        '        severity: warn',
        '      - row_count: { min: 500 }',
        '  - name: totals',
        '    file: blocks/totals.sql',
        '    upstream: [orders]',
        '',
      ].join('\n'),
      'pipelines/big.yaml': ['blocks:', '  - name: many', '    file: blocks/many.sql', ''].join('\n'),
      'blocks/many.sql': 'SELECT i AS id, i % 7 AS bucket FROM range(600000) r(i)\n',
      'pipelines/broken.yaml': ['blocks:', '  - name: a', '    file: blocks/orders.sql', '    checks:', '      - not_null: amount', '        unique: id', ''].join('\n'),
    }),
  );

  it('quarantines failing rows with exact counts, warns, and lets the good rows flow on', async () => {
    const r = await sluice(dir, ['run', 'shop']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /orders .*→ 900 out.*checks: 2 passed, 1 warned; 100 rows quarantined/);
    assert.match(r.stdout, /warn orders: check accepted_values_status: 10 rows with a status outside paid/);
    const good = await sluice(dir, ['preview', 'shop', 'orders', '--limit', '0']);
    assert.match(good.stdout, /900 rows/);
    const moved = await sluice(dir, ['preview', 'shop', 'orders__quarantine', '--limit', '1']);
    assert.match(moved.stdout, /100 rows/);
    assert.match(moved.stdout, /failed_checks\s+VARCHAR/);
    assert.match(moved.stdout, /not_null_amount/);
    const totals = await sluice(dir, ['preview', 'shop', 'totals']);
    assert.match(totals.stdout, /^900\s+/m, 'downstream reads only the good rows');
  });

  it('fails the block on a failed error check, skips its downstream, and says which check failed where', async () => {
    const r = await sluice(dir, ['run', 'shop', '--var', 'upto=300']);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /✗ orders/);
    const logs = await sluice(dir, ['logs', runId(r.stderr + r.stdout)]);
    assert.match(logs.stdout, /skipped totals/);
    assert.match(logs.stdout, /pipelines\/shop\.yaml:11.*check row_count failed: 270 rows; expected at least 500/);
  });

  it('runs the checks again on the stored outputs with sluice test, without moving rows', async () => {
    const r = await sluice(dir, ['test', 'shop']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /✓ shop\.orders not_null_amount \(quarantine\): no nulls in amount/);
    assert.match(r.stdout, /! shop\.orders accepted_values_status \(warn\)/);
    assert.match(r.stdout, /3 passed, 1 warned, 0 failed \(checks on stored outputs\)/);
  });

  it('prints the profile of a block output, its distinct counts labelled approximate', async () => {
    const r = await sluice(dir, ['profile', 'shop', 'orders']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /shop\.orders from run \S+: 900 rows/);
    assert.match(r.stdout, /≈distinct/);
    assert.match(r.stdout, /^amount\s+DECIMAL\(\d+,\d\)\s+0\s+≈\d+\s+1\.5\s+1498\.5/m);
    assert.match(r.stdout, /status top values\n\s+paid\s+890\n\s+refunded\s+10/);
    assert.match(r.stdout, /id histogram/);
  });

  it('profiles a large output as it is stored, from a sample of its row groups that the profile names', async () => {
    assert.equal((await sluice(dir, ['run', 'big'])).code, 0);
    const first = await sluice(dir, ['profile', 'big', 'many', '--json']);
    assert.equal(first.code, 0, first.stderr);
    const profile = JSON.parse(first.stdout) as {
      rows: number;
      deferred?: boolean;
      sample?: { rows: number; rowGroups: number; ofRowGroups: number; distinctEstimator: string };
      columns: { name: string; nulls: number; max?: number; approxDistinct?: number; mean?: number }[];
    };
    assert.equal(profile.rows, 600_000);
    // Kept with the run: a profile made on this first look would say deferred.
    assert.equal(profile.deferred, undefined);
    assert.equal(profile.sample?.rowGroups, 2);
    assert.ok(profile.sample.ofRowGroups > 2 && profile.sample.rows < 600_000, JSON.stringify(profile.sample));
    assert.equal(profile.sample.distinctEstimator, 'duj1-row-groups');
    assert.deepEqual(profile.columns.map((c) => [c.name, c.nulls, c.max]), [['id', 0, 599_999], ['bucket', 0, 6]]);
    assert.equal(profile.columns[1]!.approxDistinct, 7);
    assert.equal(profile.columns[0]!.mean, 299_999.5);
    const shown = await sluice(dir, ['profile', 'big', 'many']);
    assert.match(shown.stdout, /600,000 rows \(profiled in \d+ms\)/);
    assert.match(shown.stdout, /id histogram from a sample of [\d,]+ rows/);
    assert.match(shown.stdout, /≈distinct is estimated from a sample of 2 of \d+ row groups/);
  });

  it('refuses a check with two kinds at load, naming the file and line', async () => {
    const r = await sluice(dir, ['validate']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /pipelines\/broken\.yaml:5.*a check has exactly one of .* \(this one has not_null and unique\)/);
  });
});
