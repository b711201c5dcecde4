import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { apiClient, browseSignedIn, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';

const skip = await requirePrerequisites('chromium');

describe('the dictionaries page: values a clean run left undecided, decided with a click and written to the file', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const dictionaryFile = () => readFileSync(path.join(served.dir, 'dictionaries/categories.yaml'), 'utf8');

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': 'name: dictionary_review\n',
      'dictionaries/categories.yaml': '# Storefront categories\nvalues:\n  Electronics: [Gadgets]\n  Home & Garden: []\n  Toys & Games: [Toys]\n',
      'data/products.csv': 'id,category\n1,Electronics\n2,Electrical\n3,Electrical\n4,Misc\n5,Hom Gardn\n',
      'pipelines/products.yaml': [
        'blocks:',
        '  - { name: raw_products, connector: file, settings: { path: data/products.csv } }',
        '  - { name: clean_products, upstream: [raw_products], clean: { category: { tool: dictionary, dictionary: categories } } }',
        '',
      ].join('\n'),
    });
    const client = apiClient(served);
    const { run_id } = await client.json<{ run_id: string }>('/api/pipelines/products/runs', {});
    assert.equal(await client.waitForRun(run_id), 'succeeded');
    ({ browser, page, problems } = await browseSignedIn(served));
    await page.getByTestId('nav-dictionaries').click();
    await page.getByTestId('dictionaries-page').waitFor();
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  const row = (value: string) => page.locator(`[data-testid="pending-value"][data-value="${value}"]`);

  it('lists the pending values, most rows first, with their closest values as buttons', async () => {
    await page.getByTestId('dictionary-categories-review').waitFor();
    assert.deepEqual(await page.getByTestId('pending-value').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-value'))), ['Electrical', 'Hom Gardn', 'Misc']);
    assert.match(await row('Electrical').innerText(), /products › clean_products › category/);
    assert.deepEqual(await row('Electrical').getByTestId('accept-candidate').allInnerTexts(), ['Electronics 0.64']);
    await screenshot(page, 'dictionary-review');
  });

  it('writes a chosen candidate into the file and takes the value off the list', async () => {
    await row('Electrical').getByTestId('accept-candidate').click();
    await row('Electrical').waitFor({ state: 'detached' });
    assert.equal(dictionaryFile(), '# Storefront categories\nvalues:\n  Electronics: [Gadgets]\n  Home & Garden: []\n  Toys & Games: [Toys]\nreviewed:\n  Electrical: Electronics\n');
  });

  it('maps a value to any value of the dictionary, or to none', async () => {
    await row('Hom Gardn').getByTestId('other-value').selectOption('Home & Garden');
    await row('Hom Gardn').getByTestId('accept-other').click();
    await row('Hom Gardn').waitFor({ state: 'detached' });
    await row('Misc').getByTestId('reject-value').click();
    await page.getByTestId('dictionary-categories-nothing').waitFor();
    assert.match(dictionaryFile(), /\nreviewed:\n {2}Electrical: Electronics\n {2}Hom Gardn: Home & Garden\n {2}Misc: null\n$/);
    assert.deepEqual(problems, []);
  });
});
