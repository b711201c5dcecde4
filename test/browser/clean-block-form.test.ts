import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browseSignedIn, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';
import { sluice } from '../e2e/cli-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';

const skip = await requirePrerequisites('chromium');

const pipelineYaml = `# Customers, cleaned for the CRM.
blocks:
  - name: raw_customers
    role: loader
    file: blocks/raw_customers.sql
  - name: clean_customers
    upstream: [raw_customers]
    clean:
      phone: { tool: phones, region: US } # numbers without +1 are American
`;

describe('the clean block form, generated from the tools\' schemas', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const pipelineFile = () => readFileSync(path.join(served.dir, 'pipelines/customers.yaml'), 'utf8');

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': 'name: crm\n',
      'pipelines/customers.yaml': pipelineYaml,
      'blocks/raw_customers.sql': "SELECT '(415) 555-2671' AS phone, 'Calif.' AS state, '03/04/2024' AS signup\n",
    });
    ({ browser, page, problems } = await browseSignedIn(served));
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('changes a setting through the form and writes it to the pipeline file, keeping its comments', async () => {
    await page.goto(`${served.base}/#/pipelines/customers?block=clean_customers`);
    await page.getByTestId('clean-form').waitFor();
    assert.equal(await page.getByTestId('clean-column-name-0').inputValue(), 'phone');
    assert.equal(await page.getByTestId('clean-tool-0').inputValue(), 'phones');
    assert.equal(await page.getByTestId('clean-setting-0-region').inputValue(), 'US');
    await page.getByTestId('clean-setting-0-region').fill('CA');
    await page.getByTestId('save-clean').click();
    await waitFor(() => pipelineFile().includes('region: CA'), { what: 'the pipeline file to have the new region' });
    assert.match(pipelineFile(), /phone: \{ tool: phones, region: CA \} # numbers without \+1 are American/);
    assert.match(pipelineFile(), /^# Customers, cleaned for the CRM\./);
  });

  it('adds a column with another tool, whose settings form comes from that tool\'s schema', async () => {
    await page.getByTestId('clean-add-column').click();
    await page.getByTestId('clean-column-name-1').fill('signup');
    await page.getByTestId('clean-tool-1').selectOption('dates');
    await page.getByTestId('clean-setting-1-day_first').check();
    await page.getByTestId('clean-setting-1-timezone').fill('Europe/Paris');
    await screenshot(page, 'clean-block-form');
    await page.getByTestId('save-clean').click();
    await waitFor(() => pipelineFile().includes('signup:'), { what: 'the pipeline file to have the new column' });
    assert.match(pipelineFile(), /signup: \{ tool: dates, day_first: true, timezone: Europe\/Paris \}/);
    const validated = await sluice(served.dir, ['validate']);
    assert.equal(validated.code, 0, validated.stdout + validated.stderr);
  });

  it('shows the refusal of a setting the tool does not take, and leaves the file alone', async () => {
    const before = pipelineFile();
    await page.getByTestId('clean-setting-1-timezone').fill('Mars/Olympus');
    await page.getByTestId('save-clean').click();
    await page.getByText(/column 'signup': tool 'dates': timezone: not an IANA time zone/).waitFor();
    assert.equal(pipelineFile(), before);
    assert.deepEqual(problems, []);
  });
});
