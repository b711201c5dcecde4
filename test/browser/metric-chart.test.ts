import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import type { MetricHistoryView } from '../../src/server/metric-history.ts';
import { apiClient, browseSignedIn, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';

const skip = await requirePrerequisites('chromium');

describe('the metric chart on the pipeline page', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let client: ReturnType<typeof apiClient>;
  let jumpRun: string;

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': 'name: metrics\n',
      'pipelines/shop.yaml': 'blocks:\n  - { name: orders, file: blocks/orders.sql, metrics: [amount] }\n',
      // About 10,200 a day, varying a little by date; half as much again on 2024-01-17.
      'blocks/orders.sql': [
        "SELECT i AS id, (100 + hash(getvariable('logical_date') || i::VARCHAR) % 5)::DOUBLE",
        "  * CASE WHEN getvariable('logical_date') = '2024-01-17' THEN 1.5 ELSE 1 END AS amount",
        'FROM range(100) t(i)',
        '',
      ].join('\n'),
    });
    client = apiClient(served);
    for (let day = 1; day <= 17; day++) {
      const { run_id } = await client.json<{ run_id: string }>('/api/pipelines/shop/runs', { logical_date: `2024-01-${String(day).padStart(2, '0')}` });
      assert.equal(await client.waitForRun(run_id), 'succeeded');
      jumpRun = run_id;
    }
    ({ browser, page, problems } = await browseSignedIn(served));
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('serves the block history with the jump flagged, its normal range and why', async () => {
    const history = await client.json<MetricHistoryView>('/api/pipelines/shop/blocks/orders/metrics?limit=30');
    assert.deepEqual(history.series.map((s) => s.metric), ['null_rate:amount', 'null_rate:id', 'rows', 'sum:amount']);
    const sums = history.series.find((s) => s.metric === 'sum:amount')!.points;
    assert.equal(sums.length, 17);
    assert.deepEqual(sums.filter((p) => p.anomaly).map((p) => p.date), ['2024-01-17']);
    const jump = sums.at(-1)!;
    assert.equal(jump.runId, jumpRun);
    assert.ok(jump.value! > jump.high! && jump.low! < 10_200 && 10_200 < jump.high!);
    assert.match(jump.reason!, /deviations above the expected/);
    assert.equal(sums[0]!.expected, null, 'the first values are not judged');
  });

  it('draws the sums with the flagged day in red, lists it, and shows it accepted once marked expected', async () => {
    await page.goto(`${served.base}/#/pipelines/shop`);
    const chart = page.locator('[data-testid="chart-metric"][data-metric="sum:amount"]');
    await chart.waitFor();
    assert.equal(await chart.locator('circle').count(), 17);
    assert.equal(await chart.locator('circle[data-anomaly="flagged"]').count(), 1);
    assert.equal(await chart.locator('polygon.mc-band').count(), 1);
    assert.match(await page.getByTestId('metric-anomalies').innerText(), /2024-01-17 sum:amount: 15,\d{3} is [\d.]+ deviations above the expected/);
    await chart.scrollIntoViewIfNeeded();
    await screenshot(page, 'metric-chart');

    await client.json(`/api/runs/${jumpRun}/blocks/orders/metrics/sum:amount/expected`, {});
    await page.reload();
    await chart.locator('circle[data-anomaly="expected"]').waitFor();
    assert.equal(await chart.locator('circle[data-anomaly="flagged"]').count(), 0);
    assert.match(await page.getByTestId('metric-anomalies').innerText(), /marked expected/);
    assert.deepEqual(problems, []);
  });
});
