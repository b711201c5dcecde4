import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { sluice, tempDir } from '../e2e/cli-helpers.ts';
import { launchBrowser, openPage, screenshot } from './browser-helpers.ts';

const skip = await requirePrerequisites('chromium');

describe('the built docs site, opened from file:// with no server', { skip }, () => {
  const { dir, cleanup } = tempDir();
  const site = path.join(dir, 'site');
  let browser: Browser;

  before(async () => {
    assert.equal((await sluice(dir, ['init', 'shop', '--example', 'sales'])).code, 0);
    const build = await sluice(path.join(dir, 'shop'), ['docs', 'build', '--out', site]);
    assert.equal(build.code, 0, build.stderr + build.stdout);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    cleanup();
  });

  it('finds a block by words of its description and opens its page', async () => {
    const { page, problems } = await openPage(browser);
    await page.goto(pathToFileURL(path.join(site, 'index.html')).href);
    assert.match(await page.locator('h1').innerText(), /^sales$/);
    await page.locator('#search').fill('refunds taken');
    const results = page.locator('#results a');
    await results.first().waitFor();
    assert.deepEqual(await results.allInnerTexts(), ['refunds / net_revenue']);
    await screenshot(page, 'docs-site-search');
    await results.first().click();
    await page.waitForURL(/block-refunds_net_revenue-/);
    assert.match(await page.locator('h1').innerText(), /Block net_revenue/);
    await page.locator('#search').fill('no such thing anywhere');
    await page.locator('#results li', { hasText: 'Nothing matches.' }).waitFor();
    assert.deepEqual(problems, []);
  });
});
