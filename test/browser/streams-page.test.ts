import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { testPgUrl, testRedisUrl } from '../../src/testing/prerequisite-checks.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';
import { browseSignedIn, ensureWebBuilt, openPage, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';

const skip = await requirePrerequisites('chromium', 'postgres', 'redis');

describe('the streams page', { skip }, () => {
  const suffix = randomBytes(4).toString('hex');
  const schema = `streamui_page_${suffix}`;
  const key = `streamui-page-${suffix}`;
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let redis: Redis;
  let db: pg.Pool;
  let publisher: NodeJS.Timeout | undefined;
  let published = 0;

  before(async () => {
    if (skip) return;
    ensureWebBuilt();
    db = new pg.Pool({ connectionString: testPgUrl(), max: 1 });
    await db.query(`CREATE SCHEMA ${schema}`);
    redis = new Redis(testRedisUrl());
    // Two poison messages first (an id that is not a number), dead-lettered on their first delivery.
    await redis.xadd(key, '*', 'data', JSON.stringify({ id: 'first-poison' }));
    await redis.xadd(key, '*', 'data', JSON.stringify({ id: 'second-poison' }));
    served = await serveProject(
      {
        'sluice.yaml': 'name: streams_page\n',
        'connections.yaml': ['connections:', '  pg:', '    connector: postgres', `    url: "${testPgUrl()}"`, `    schema: ${schema}`, ''].join('\n'),
        'pipelines/orders_live.yaml': [
          'kind: streaming',
          `source: { type: redis_streams, url: "${testRedisUrl()}", stream: ${key} }`,
          'payload: { columns: { id: BIGINT NOT NULL, amount: DOUBLE } }',
          'max_deliver: 1',
          'metrics_interval: 1s',
          'batch_wait: 50ms',
          'sinks:',
          '  - { connection: pg, table: orders }',
          '',
        ].join('\n'),
      },
      [],
    );
    // A steady trickle, so the stream has records per second and latencies to chart.
    publisher = setInterval(() => {
      const batch = redis.pipeline();
      for (let i = 0; i < 20; i++) batch.xadd(key, '*', 'data', JSON.stringify({ id: ++published, amount: published / 2 }));
      void batch.exec();
    }, 200);
    ({ browser, page, problems } = await browseSignedIn(served));
  });
  after(async () => {
    if (skip) return;
    clearInterval(publisher);
    await browser?.close();
    await served?.close();
    await redis?.del(key);
    redis?.disconnect();
    await db?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db?.end();
  });

  it('shows the running stream with a live chart of its rate, latency and lag, and its dead letters with payload and reason', async () => {
    await page.getByTestId('nav-streams').click();
    const row = page.locator('[data-testid="stream-row"][data-pipeline="orders_live"]');
    await row.waitFor();
    await waitFor(async () => (await row.getAttribute('data-state')) === 'running', { what: 'the stream running', timeout: 30_000 });
    // Points arrive as the stream records a sample each second; the chart follows without a reload.
    const chartedSamples = async () => Number((await page.getByTestId('stream-charts').getAttribute('data-samples').catch(() => null)) ?? 0);
    await waitFor(async () => (await chartedSamples()) >= 4, { what: 'four samples charted', timeout: 30_000 });
    const first = await chartedSamples();
    await waitFor(async () => (await chartedSamples()) > first, { what: 'a new sample charted without a reload', timeout: 15_000 });
    const charts = await page.getByTestId('stream-chart').evaluateAll((figures) => figures.map((f) => [f.getAttribute('data-chart'), f.querySelectorAll('[data-testid="stream-chart-point"]').length]));
    assert.deepEqual(charts.map(([title]) => title), ['Records per second', 'Latency, publish to commit', 'Broker lag (messages waiting)']);
    for (const [title, points] of charts) assert.ok(Number(points) >= 3, `${title} has points (${points})`);
    const rate = await page.locator('[data-chart="Records per second"] circle').evaluateAll((circles) => circles.map((c) => c.querySelector('title')?.textContent ?? ''));
    assert.ok(rate.some((t) => /rows\/s [1-9]/.test(t)), `some sample has rows per second above 0: ${rate.slice(-3).join(' | ')}`);

    const letters = page.getByTestId('dead-letter-row');
    await waitFor(async () => (await letters.count()) === 2, { what: 'two dead letters listed', timeout: 20_000 });
    await letters.first().click();
    assert.equal(await page.getByTestId('dead-letter-payload').innerText(), JSON.stringify({ id: 'first-poison' }));
    assert.match(await letters.first().getByTestId('dead-letter-reason').innerText(), /id/);
    assert.equal(await row.getByTestId('stream-dead-letters').innerText(), '2');
    await screenshot(page, 'streams');

    // The history behind the chart, from the metadata store.
    const history = await fetch(`${served.base}/api/streams/orders_live/metrics`, { headers: { authorization: `Bearer ${served.token}` } });
    const { samples } = (await history.json()) as { samples: { state: string; latencyP99Ms?: number; lag?: number; recordsPerSecond: number }[] };
    assert.ok(samples.some((x) => x.state === 'running' && x.latencyP99Ms !== undefined && x.lag !== undefined && x.recordsPerSecond > 0), JSON.stringify(samples.slice(-2)));
    const unknown = await fetch(`${served.base}/api/streams/no_such_stream/metrics`, { headers: { authorization: `Bearer ${served.token}` } });
    assert.equal(unknown.status, 404);

    // The stream's table is an ordinary table, filling as messages arrive.
    const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM ${schema}.orders`)).rows as [{ n: number }];
    assert.ok(n > 0, 'rows landed in the sink');
    assert.deepEqual(problems, []);
  });

  it('replays one dead letter into the source and drops the other, as an operator', async () => {
    const letters = page.getByTestId('dead-letter-row');
    const ids = await letters.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-message-id')));
    // Replayed unchanged, it fails again and comes back under the new message's id: proof it went through the broker.
    await letters.first().getByTestId('dead-letter-replay').click();
    await page.getByTestId('dead-letters-note').filter({ hasText: 'Replayed 1' }).waitFor();
    page.once('dialog', () => undefined);
    await page.locator(`[data-testid="dead-letter-row"][data-message-id="${ids[1]}"]`).getByTestId('dead-letter-drop').click();
    await page.getByTestId('dead-letters-note').filter({ hasText: 'Dropped 1' }).waitFor();
    await waitFor(
      async () => {
        const now = await letters.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-message-id')));
        return now.length === 1 && !ids.includes(now[0]!) && now;
      },
      { what: 'the replayed letter dead-lettered again under a new id, and the dropped one gone', timeout: 20_000 },
    );
    await letters.first().click();
    assert.equal(await page.getByTestId('dead-letter-payload').innerText(), JSON.stringify({ id: 'first-poison' }));
    assert.deepEqual(problems, []);
  });

  it('shows a viewer the stream and its dead letters without replay or drop', async () => {
    // The first user is made with the project's token, which is refused once the project has users; the admin then adds the viewer.
    const response = await fetch(`${served.base}/api/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${served.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ada', role: 'admin', password: 'ada-password-1' }),
    });
    assert.equal(response.status, 201, await response.text());
    const { page: viewerPage } = await openPage(browser);
    await viewerPage.goto(`${served.base}/#/pipelines`);
    await viewerPage.getByTestId('user-input').fill('ada');
    await viewerPage.getByTestId('password-input').fill('ada-password-1');
    await viewerPage.getByTestId('sign-in-submit').click();
    await viewerPage.getByTestId('pipelines-page').waitFor();
    const made = await viewerPage.evaluate(async () => (await fetch('/api/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'vic', role: 'viewer', password: 'vic-password-1' }) })).status);
    assert.equal(made, 201);
    await viewerPage.context().clearCookies();
    await viewerPage.goto(`${served.base}/#/pipelines`);
    await viewerPage.getByTestId('user-input').fill('vic');
    await viewerPage.getByTestId('password-input').fill('vic-password-1');
    await viewerPage.getByTestId('sign-in-submit').click();
    await viewerPage.getByTestId('pipelines-page').waitFor();
    await viewerPage.goto(`${served.base}/#/streams/orders_live`);
    await viewerPage.getByTestId('dead-letter-row').first().waitFor();
    for (const hidden of ['dead-letter-replay', 'dead-letter-drop', 'dead-letters-replay-all', 'dead-letters-drop-all']) assert.equal(await viewerPage.getByTestId(hidden).count(), 0, `${hidden} is hidden from a viewer`);
    const status = await viewerPage.evaluate(async () => (await fetch('/api/streams/orders_live/dead-letters/drop', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"all":true}' })).status);
    assert.equal(status, 403, 'the server refuses a viewer anyway');
  });
});
