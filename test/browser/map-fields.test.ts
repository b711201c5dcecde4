import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { apiClient, browseSignedIn, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';

const skip = await requirePrerequisites('chromium');

describe('the Map fields page', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': 'name: mapping\n',
      'data/legacy.csv': 'CUST_NO,EMAIL_ADDR,TEL,CTRY,NOTES\n1001,ana@example.com,+12125550101,US,called twice\n1002,bo@example.org,+46812345678,SE,\n',
      'data/contacts.csv': 'customer_id,email_address,phone_number,country_code,lifetime_value\n1,kim@example.com,+14155550111,US,120.50\n2,lee@example.net,+442079460000,GB,99.00\n',
      'pipelines/crm.yaml': [
        'blocks:',
        '  - { name: legacy, role: loader, connector: file, settings: { path: data/legacy.csv } }',
        '  - { name: contacts, role: loader, connector: file, settings: { path: data/contacts.csv } }',
        '',
      ].join('\n'),
    });
    const client = apiClient(served);
    const { run_id } = await client.json<{ run_id: string }>('/api/pipelines/crm/runs', {});
    assert.equal(await client.waitForRun(run_id), 'succeeded');
    ({ browser, page, problems } = await browseSignedIn(served));
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it("opens from a block's output with the block as the source", async () => {
    await page.goto(`${served.base}/#/pipelines/crm?block=legacy`);
    await page.getByTestId('output-map-fields').click();
    await page.getByTestId('map-page').waitFor();
    assert.equal(await page.getByTestId('map-source').inputValue(), 'crm.legacy');
  });

  it('suggests a target for each source column, with its confidence and reason, and says no match where there is none', async () => {
    await page.getByTestId('nav-map-fields').click();
    await page.getByTestId('map-source').fill('crm.legacy');
    await page.getByTestId('map-target').fill('crm.contacts');
    await page.getByTestId('map-suggest').click();
    await page.getByTestId('map-suggestions').waitFor();
    assert.equal(await page.getByTestId('map-target-CUST_NO').inputValue(), 'customer_id');
    assert.equal(await page.getByTestId('map-target-EMAIL_ADDR').inputValue(), 'email_address');
    assert.equal(await page.getByTestId('map-target-TEL').inputValue(), 'phone_number');
    assert.match(await page.getByTestId('map-confidence-EMAIL_ADDR').innerText(), /^(0\.\d\d|1\.00)$/);
    assert.match(await page.getByTestId('map-row-EMAIL_ADDR').innerText(), /both hold email addresses/);
    assert.equal(await page.getByTestId('map-target-NOTES').inputValue(), '');
    assert.match(await page.getByTestId('map-row-NOTES').innerText(), /no match/);
    assert.match(page.url(), /#\/map\?source=crm\.legacy&target=crm\.contacts/);
    await screenshot(page, 'map-fields');
  });

  it('writes the accepted mapping, with a rejected column left out and a column set by hand, as a block that runs', async () => {
    await page.getByTestId('map-accept-TEL').uncheck();
    assert.equal(await page.getByTestId('map-confidence-TEL').innerText(), 'rejected');
    await page.getByTestId('map-target-NOTES').selectOption('lifetime_value');
    assert.equal(await page.getByTestId('map-confidence-NOTES').innerText(), 'set by hand');
    // Two sources onto one target cannot be written until one is dropped.
    await page.getByTestId('map-target-CTRY').selectOption('email_address');
    assert.equal(await page.getByTestId('map-write-button').isDisabled(), true);
    await page.getByTestId('map-target-CTRY').selectOption('country_code');
    await page.getByTestId('map-write-button').click();
    await page.getByTestId('map-written').waitFor();
    assert.match(await page.getByTestId('map-written').innerText(), /Wrote blocks\/map_legacy\.sql and added block map_legacy to crm/);

    const sql = readFileSync(path.join(served.dir, 'blocks/map_legacy.sql'), 'utf8');
    assert.match(sql, /^ {2}"CUST_NO" AS "customer_id",/m);
    assert.match(sql, /^ {2}NULL AS "phone_number", -- no source column$/m);
    assert.match(sql, /^ {2}"NOTES" AS "lifetime_value"$/m);
    assert.match(readFileSync(path.join(served.dir, 'pipelines/crm.yaml'), 'utf8'), /name: map_legacy\n\s+role: transformer\n\s+file: blocks\/map_legacy\.sql\n\s+upstream: \[ legacy \]/);

    const client = apiClient(served);
    const { run_id } = await client.json<{ run_id: string }>('/api/pipelines/crm/runs', {});
    assert.equal(await client.waitForRun(run_id), 'succeeded');
    assert.deepEqual(problems, []);
  });
});
