import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { apiClient, browseSignedIn, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';
import { lowContrast } from './contrast-check.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('chromium');

/** WCAG AA for normal text: every text on screen in dark mode reaches 4.5:1. */
const contrastFloor = 4.5;

describe('the web UI: dark mode follows the system, can be chosen, and every page stays readable', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let runId: string;
  const lowest: Record<string, number> = {};

  const theme = () => page.evaluate('document.documentElement.dataset.theme') as Promise<string>;
  // A function, not a string: a string predicate is re-evaluated with eval on each poll, which the UI's CSP refuses.
  const waitForTheme = (wanted: string) =>
    page.waitForFunction((expected) => (globalThis as unknown as { document: { documentElement: { dataset: { theme?: string } } } }).document.documentElement.dataset.theme === expected, wanted);
  const background = (selector: string) => page.evaluate(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).backgroundColor`) as Promise<string>;
  const isDark = (rgb: string) => {
    const [r = 255, g = 255, b = 255] = (rgb.match(/\d+/g) ?? []).map(Number);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 60;
  };
  const readable = async (name: string) => {
    const { low, lowest: min, measured } = await lowContrast(page, contrastFloor);
    lowest[name] = min;
    assert.ok(measured > 5, `${name}: some text was measured`);
    assert.deepEqual(low, [], `${name}: text below ${contrastFloor}:1 in dark mode`);
    await screenshot(page, `dark-${name}`);
  };

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': 'name: dark_ui\n',
      'connections.yaml': 'connections:\n  pg:\n    connector: postgres\n    host: 127.0.0.1\n    user: postgres\n    database: test\n',
      'pipelines/shop.yaml': 'blocks:\n  - { name: orders, role: loader, file: blocks/orders.ts }\n  - { name: totals, role: transformer, file: blocks/totals.sql, upstream: [orders] }\n',
      'blocks/orders.ts': "import { defineLoader } from 'sluice';\n\nexport default defineLoader(async function* (_inputs, ctx) {\n  ctx.log.warn('totals are approximate');\n  yield [{ id: 1, source: 'shop', amount: 2.5 }];\n});\n",
      'blocks/totals.sql': "-- the total of each source\nSELECT source, sum(amount) AS total, 'eur' AS currency FROM orders GROUP BY source\n",
    });
    const api = apiClient(served);
    ({ run_id: runId } = await api.json<{ run_id: string }>('/api/pipelines/shop/runs', {}));
    assert.equal(await api.waitForRun(runId), 'succeeded');
    ({ browser, page, problems } = await browseSignedIn(served));
  });
  after(async () => {
    await browser?.close();
    await served?.close();
    console.log(`lowest contrast per page in dark mode: ${JSON.stringify(lowest)}`);
  });

  it('follows the system setting until the user chooses, and follows it live', async () => {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.reload();
    await page.getByTestId('pipelines-page').waitFor();
    assert.equal(await theme(), 'light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await waitForTheme('dark');
    assert.ok(isDark(await background('body')), 'the page turned dark without a reload');
    assert.equal(await page.getByTestId('theme-system').getAttribute('aria-checked'), 'true');
  });

  it('remembers a light or dark choice across reloads, whatever the system says', async () => {
    await page.getByTestId('theme-light').click();
    assert.equal(await theme(), 'light');
    await page.reload();
    await page.getByTestId('pipelines-page').waitFor();
    assert.equal(await theme(), 'light', 'the choice outlives a reload');
    assert.equal(await page.getByTestId('theme-light').getAttribute('aria-checked'), 'true');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByTestId('theme-dark').click();
    assert.equal(await theme(), 'dark');
    assert.ok(isDark(await background('body')));
    await page.getByTestId('theme-system').click();
    assert.equal(await theme(), 'light', 'back to the system, which is light now');
    await page.emulateMedia({ colorScheme: 'dark' });
    await waitForTheme('dark');
  });

  it('keeps the pipelines, runs and run pages readable in the dark', async () => {
    await readable('pipelines');
    await page.goto(`${served.base}/#/runs`);
    await page.getByTestId('runs-page').locator('tbody tr').first().waitFor();
    await readable('runs');
    await page.goto(`${served.base}/#/runs/${runId}`);
    await page.getByTestId('run-logs').getByText('totals are approximate').waitFor();
    await readable('run');
  });

  it('draws the canvas and the code editor dark, with readable code', async () => {
    await page.goto(`${served.base}/#/pipelines/shop?block=totals`);
    await page.getByTestId('code-editor').locator('.cm-line').first().waitFor();
    await page.getByTestId('dag-node-totals').waitFor();
    assert.ok(isDark(await background('.editor-dag')), 'the canvas');
    assert.ok(isDark(await background('.dag-node')), 'its blocks');
    assert.ok(isDark(await background('.cm-editor')), 'the code editor');
    assert.ok(isDark(await background('.cm-gutters')), 'its gutter');
    await readable('editor');
  });

  it('keeps the connections, triggers and git pages readable in the dark', async () => {
    for (const [route, testId] of [['/connections', 'connections-page'], ['/triggers', 'triggers-page'], ['/git', 'git-page']] as const) {
      await page.goto(`${served.base}/#${route}`);
      await page.getByTestId(testId).waitFor();
      await page.locator('.loading').waitFor({ state: 'detached' });
      await readable(route.slice(1));
    }
  });

  it('keeps the palette and the shortcuts overlay readable in the dark', async () => {
    await page.keyboard.press('Control+k');
    await page.getByTestId('palette-input').fill('shop');
    await page.getByTestId('palette-hit').first().waitFor();
    await readable('palette');
    await page.keyboard.press('Escape');
    await page.keyboard.press('?');
    await page.getByTestId('shortcuts-overlay').waitFor();
    await readable('shortcuts');
    await page.keyboard.press('Escape');
  });

  it('keeps the light theme as readable, on the same pages', async () => {
    await page.getByTestId('theme-light').click();
    for (const [route, ready] of [['/pipelines', 'pipelines-page'], [`/runs/${runId}`, '.log-line'], ['/pipelines/shop?block=totals', '.cm-line']] as const) {
      await page.goto(`${served.base}/#${route}`);
      await (ready.startsWith('.') ? page.locator(ready).first() : page.getByTestId(ready)).waitFor();
      await page.locator('.loading').waitFor({ state: 'detached' });
      const { low } = await lowContrast(page, contrastFloor);
      assert.deepEqual(low, [], `${route}: text below ${contrastFloor}:1 in light mode`);
    }
    await page.getByTestId('theme-system').click();
  });

  it('ran without a CSP violation or an uncaught error', () => {
    assert.deepEqual(problems, []);
  });
});
