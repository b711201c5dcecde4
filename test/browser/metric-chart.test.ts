import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import type { MetricHistoryView } from '../../src/server/metric-history.ts';
import { apiClient, browseSignedIn, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';

const skip = await requirePrerequisites('chromium');

describe('the metric chart on the pipeline page, after a generated 60-day history with a +15% jump', { skip }, () => {
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
      // A generated 60-day history: 100 orders a day of about 100 each, the day's total within 2% of 10,000,
      // and 15% more from 2024-02-15 (day 46) on, as when a calculation upstream changes.
      'blocks/orders.sql': [
        "SELECT i AS id, 100 * (1 + ((hash(getvariable('logical_date')) % 41)::DOUBLE - 20) / 1000)",
        "  * CASE WHEN getvariable('logical_date') >= '2024-02-15' THEN 1.15 ELSE 1 END AS amount",
        'FROM range(100) t(i)',
        '',
      ].join('\n'),
    });
    client = apiClient(served);
    for (let day = 0; day < 60; day++) {
      const date = new Date(Date.UTC(2024, 0, 1 + day)).toISOString().slice(0, 10);
      const { run_id } = await client.json<{ run_id: string }>('/api/pipelines/shop/runs', { logical_date: date });
      assert.equal(await client.waitForRun(run_id), 'succeeded');
      if (date === '2024-02-15') jumpRun = run_id;
    }
    ({ browser, page, problems } = await browseSignedIn(served));
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('serves the block history with the jump flagged on its first day, its normal range and why', async () => {
    const history = await client.json<MetricHistoryView>('/api/pipelines/shop/blocks/orders/metrics?limit=60');
    assert.deepEqual(history.series.map((s) => s.metric), ['null_rate:amount', 'null_rate:id', 'rows', 'sum:amount']);
    const sums = history.series.find((s) => s.metric === 'sum:amount')!.points;
    assert.equal(sums.length, 60);
    const flagged = sums.filter((p) => p.anomaly);
    // Caught on its first day, and nothing before it.
    assert.equal(flagged[0]?.date, '2024-02-15');
    const jump = flagged[0]!;
    assert.equal(jump.runId, jumpRun);
    assert.ok(jump.value! > jump.high! && jump.low! < 10_000 && 10_000 < jump.high!);
    assert.match(jump.reason!, /deviations above the expected/);
    assert.equal(sums[0]!.expected, null, 'the first values are not judged');
    assert.equal(history.series.find((s) => s.metric === 'rows')!.points.some((p) => p.anomaly), false);
    const ofRun = await client.json<{ anomalies: { block: string; metric: string; date: string }[] }>(`/api/runs/${jumpRun}/anomalies`);
    assert.deepEqual(ofRun.anomalies.map((a) => `${a.block} ${a.metric} ${a.date}`), ['orders sum:amount 2024-02-15']);
  });

  it('draws the sums with the jump in red, lists it, opens its run, and shows it accepted once marked expected there', async () => {
    await page.goto(`${served.base}/#/pipelines/shop`);
    const chart = page.locator('[data-testid="chart-metric"][data-metric="sum:amount"]');
    await chart.waitFor();
    assert.equal(await chart.locator('circle').count(), 60);
    const flagged = chart.locator('circle[data-anomaly="flagged"]');
    assert.ok((await flagged.count()) >= 1);
    assert.match((await flagged.first().locator('title').textContent())!, /^2024-02-15: 11\.\dk \(/);
    assert.equal(await chart.locator('polygon.mc-band').count(), 1);
    // Newest first: the days after the jump stay flagged until someone marks the new level expected.
    assert.match(await page.getByTestId('metric-anomalies').innerText(), /^2024-02-29 sum:amount: 11,\d{3} is [\d.]+ deviations above the expected/);
    await chart.scrollIntoViewIfNeeded();
    await screenshot(page, 'metric-chart');

    // The run's page lists its anomaly; accepting it there marks the value expected.
    await flagged.first().click();
    await page.getByTestId('run-anomaly').waitFor();
    assert.match(page.url(), new RegExp(`#/runs/${jumpRun}`));
    assert.match(await page.getByTestId('run-anomaly').innerText(), /^orders sum:amount: 11,\d{3} is [\d.]+ deviations above the expected/);
    await page.getByTestId('mark-expected').click();
    await page.getByTestId('run-anomaly').getByText('(marked expected)').waitFor();
    await page.goto(`${served.base}/#/pipelines/shop`);
    await chart.locator('circle[data-anomaly="expected"]').waitFor();
    assert.match((await chart.locator('circle[data-anomaly="expected"]').locator('title').textContent())!, /^2024-02-15: .*marked expected$/);
    assert.deepEqual(problems, []);
  });
});
