import assert from 'node:assert/strict';
import { alertReceiver } from './alert-receiver.ts';
import { after, before, describe, it } from 'node:test';
import { sluice, tempDir, writeProject } from './cli-helpers.ts';

describe('anomalies in a block metric', () => {
  const { dir, cleanup } = tempDir('sluice-anomalies-');
  let hook: Awaited<ReturnType<typeof alertReceiver>>;
  before(async () => {
    hook = await alertReceiver();
    writeProject(dir, {
      'sluice.yaml': 'name: shop\n',
      'pipelines/shop.yaml': [
        'alerts:',
        '  - on: [anomaly]',
        '    webhook: "${HOOK_URL}/anomaly"',
        'blocks:',
        '  - name: orders',
        '    file: blocks/orders.sql',
        '    metrics: [amount]',
        '    anomalies: fail',
        '',
      ].join('\n'),
      // 100 orders a day of about 102 each, varying a little by date; half as much again from 2024-01-20 on.
      'blocks/orders.sql': [
        "SELECT i AS id, (100 + hash(getvariable('logical_date') || i::VARCHAR) % 5)::DOUBLE",
        "  * CASE WHEN getvariable('logical_date') >= '2024-01-20' THEN 1.5 ELSE 1 END AS amount",
        'FROM range(100) t(i)',
        '',
      ].join('\n'),
    });
  });
  after(() => {
    hook.server.close();
    cleanup();
  });

  it('records history quietly, then fails the block on a 50% jump, alerts and logs how to accept it', async () => {
    const backfill = await sluice(dir, ['run', 'shop', '--backfill', '2024-01-01..2024-01-19'], { HOOK_URL: hook.url });
    assert.equal(backfill.code, 0, backfill.stdout + backfill.stderr);
    assert.equal(hook.received.length, 0);

    const jump = await sluice(dir, ['run', 'shop', '--date', '2024-01-20'], { HOOK_URL: hook.url });
    assert.equal(jump.code, 1, jump.stdout + jump.stderr);
    assert.match(jump.stdout + jump.stderr, /anomaly in sum:amount: 15,\d{3} is [\d.]+ deviations above the expected 10,\d{3}/);
    assert.equal(hook.received.length, 1);
    const alert = hook.received[0]!.body;
    assert.equal(alert.kind, 'anomaly');
    const anomalies = alert.anomalies as { block: string; metric: string; reason: string }[];
    assert.deepEqual(anomalies.map((a) => `${a.block} ${a.metric}`), ['orders sum:amount']);

    const shown = await sluice(dir, ['metrics', 'show', 'shop', 'orders', '--metric', 'sum:amount', '--limit', '3']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /2024-01-20 .*ANOMALY/);
    assert.match(shown.stdout, /2024-01-19 .*normal/);

    const wrong = await sluice(dir, ['metrics', 'mark-expected', String(alert.runId), 'orders', 'sum:price']);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /recorded no metric 'sum:price' for block 'orders' \(its metrics: null_rate:amount, null_rate:id, rows, sum:amount\)/);
    const marked = await sluice(dir, ['metrics', 'mark-expected', String(alert.runId), 'orders', 'sum:amount']);
    assert.equal(marked.code, 0, marked.stderr);

    const next = await sluice(dir, ['run', 'shop', '--date', '2024-01-21'], { HOOK_URL: hook.url });
    assert.equal(next.code, 0, next.stdout + next.stderr);
    assert.equal(hook.received.length, 1);
  });
});
