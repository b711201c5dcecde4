import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { apiClient, browseSignedIn, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';

const skip = await requirePrerequisites('chromium');

interface OutputRows {
  total: number;
  rows: Record<string, unknown>[];
}

describe('the pairs a dedupe block left for review, decided row by row and used by the next run', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let client: ReturnType<typeof apiClient>;
  let firstRun = '';
  let pairs = 0;
  const run = async (): Promise<string> => {
    const { run_id } = await client.json<{ run_id: string }>('/api/pipelines/people/runs', {});
    assert.equal(await client.waitForRun(run_id), 'succeeded');
    return run_id;
  };

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': 'name: crm\n',
      'data/people.csv': ['id,name,zip', '1,Jonathan Smith,10001', '2,Jonathon Smith,10001', '3,Maria Garcia,10001', '4,Mariah Garcia,10001', '5,Peter Brown,10001', ''].join('\n'),
      'pipelines/people.yaml': [
        'blocks:',
        '  - { name: raw_people, connector: file, settings: { path: data/people.csv } }',
        '  - name: customers',
        '    upstream: [raw_people]',
        '    dedupe: { columns: { name: jaro_winkler }, blocking: [zip], match: 0.99, review: 0.8 }',
        '',
      ].join('\n'),
    });
    client = apiClient(served);
    firstRun = await run();
    pairs = (await client.json<OutputRows>(`/api/runs/${firstRun}/blocks/customers__review/output`)).total;
    ({ browser, page, problems } = await browseSignedIn(served));
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  const row = (text: string) => page.getByTestId('review-pair').filter({ hasText: text });

  it('shows the pairs as a table, both rows side by side with their similarity', async () => {
    assert.ok(pairs >= 2, `the run left ${pairs} pairs to review`);
    await page.goto(`${served.base}/#/pipelines/people?block=customers__review`);
    await page.getByTestId('review-pairs').waitFor();
    assert.equal(await page.getByTestId('review-pair').count(), pairs);
    assert.match(await row('Jonathon Smith').innerText(), /Jonathan Smith\s+Jonathon Smith\s+0\.\d\d/);
    await screenshot(page, 'dedupe-review');
  });

  it('keeps a decision per pair in the project\'s review file', async () => {
    await row('Jonathon Smith').getByTestId('pair-same').click();
    await row('Jonathon Smith').getByTestId('pair-decided').waitFor();
    await row('Mariah Garcia').getByTestId('pair-different').click();
    await row('Mariah Garcia').getByTestId('pair-decided').waitFor();
    const file = readFileSync(path.join(served.dir, 'reviews/people/customers.yaml'), 'utf8');
    assert.match(file, /same:\n {2}- \[ \{ name: Jonathan Smith \}, \{ name: Jonathon Smith \} \]\n/);
    assert.match(file, /different:\n {2}- \[ \{ name: Maria Garcia \}, \{ name: Mariah Garcia \} \]\n/);
  });

  it('joins the pair decided the same on the next run, and leaves both decided pairs out of the review', async () => {
    const second = await run();
    const review = await client.json<OutputRows>(`/api/runs/${second}/blocks/customers__review/output`);
    assert.equal(review.total, pairs - 2);
    const people = await client.json<OutputRows>(`/api/runs/${second}/blocks/customers/output`);
    const clusterOf = (id: number) => people.rows.find((r) => Number(r.id) === id)!.cluster_id;
    assert.equal(clusterOf(1), clusterOf(2));
    assert.notEqual(clusterOf(3), clusterOf(4));
    await page.reload();
    if (pairs - 2 === 0) await page.getByTestId('review-pairs-none').waitFor();
    else await page.getByTestId('review-pairs').waitFor();
    assert.equal(await page.getByTestId('review-pair').count(), pairs - 2);
    assert.deepEqual(problems, []);
  });
});
