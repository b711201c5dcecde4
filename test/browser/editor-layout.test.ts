import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browseSignedIn, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('chromium');

// These run in the page, where the DOM is; the test's own types know no DOM.
type Box = { height: number; width: number; left: number; right: number };
type PageElement = { getBoundingClientRect(): Box; offsetHeight: number };
type PageGlobals = { getComputedStyle(element: unknown): { fontSize: string } };
/** The size a text is drawn at on screen: its CSS size times every zoom and transform above it. */
const renderedFontSize = (element: unknown) => {
  const el = element as PageElement;
  const css = Number.parseFloat((globalThis as unknown as PageGlobals).getComputedStyle(el).fontSize);
  return (css * el.getBoundingClientRect().height) / el.offsetHeight;
};
const boxOf = (element: unknown) => (element as PageElement).getBoundingClientRect();

/** Fifteen blocks, five layers deep: too wide for a laptop's canvas at a readable zoom. */
function wideProject(): Record<string, string> {
  const files: Record<string, string> = { 'sluice.yaml': 'name: wide\n' };
  const lines = ['blocks:'];
  for (let layer = 0; layer < 5; layer++) {
    for (let row = 0; row < 3; row++) {
      const name = `step_${layer}_${row}`;
      const upstream = layer === 0 ? '' : `, upstream: [step_${layer - 1}_${row}]`;
      lines.push(`  - { name: ${name}, role: ${layer === 0 ? 'loader' : 'transformer'}, file: blocks/${name}.sql${upstream} }`);
      files[`blocks/${name}.sql`] = layer === 0 ? `SELECT ${row} AS id\n` : `SELECT * FROM step_${layer - 1}_${row}\n`;
    }
  }
  files['pipelines/wide.yaml'] = `${lines.join('\n')}\n`;
  return files;
}

describe('the pipeline editor at laptop size (1280×720)', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const selectedTitle = () => page.getByTestId('block-title').innerText();
  const activeTab = () => page.locator('.tabs .tab.active').getAttribute('data-testid');

  before(async () => {
    ensureWebBuilt();
    served = await serveProject(wideProject());
    ({ browser, page, problems } = await browseSignedIn(served));
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('keeps block names readable: fit-to-view stops at a zoom where a name is at least 11 px', async () => {
    await page.goto(`${served.base}/#/pipelines/wide`);
    const name = page.getByTestId('dag-node-step_0_0').locator('.dag-node-name');
    await name.waitFor();
    // The view is framed once React Flow has measured the nodes: the first blocks come into sight, not cut off at the left edge.
    const inSight = async () => {
      const canvas = await page.getByTestId('dag-canvas').evaluate(boxOf);
      const first = await page.getByTestId('dag-node-step_0_0').evaluate(boxOf);
      return first.left >= canvas.left && first.right <= canvas.right;
    };
    const deadline = Date.now() + 10_000;
    while (!(await inSight()) && Date.now() < deadline) await page.evaluate('new Promise((done) => requestAnimationFrame(done))');
    assert.ok(await inSight(), 'the first block is in sight');
    const size = await name.evaluate(renderedFontSize);
    assert.ok(size >= 11, `a block name is drawn at ${size.toFixed(1)} px`);
    await screenshot(page, 'editor-1280x720');
  });

  it('keeps the block header and the output pager on one row each beside the canvas', async () => {
    await page.goto(`${served.base}/#/pipelines/wide?block=step_0_0`);
    await page.getByTestId('run-block').click();
    await page.getByTestId('output-rows').waitFor();
    // One row: every control of the bar overlaps every other one vertically.
    const oneRow = (bar: string) => page.locator(`${bar} > :is(button, select, details, span.strong, [data-testid=page-range])`).evaluateAll((controls) => {
      const boxes = controls.map((c) => c.getBoundingClientRect());
      return boxes.length > 3 && Math.max(...boxes.map((b) => b.top)) < Math.min(...boxes.map((b) => b.bottom));
    });
    assert.equal(await oneRow('.block-head'), true, 'the block header wraps');
    assert.equal(await oneRow('.output-bar'), true, 'the output pager wraps');
    assert.deepEqual(problems, []);
  });

  it('resizes the canvas/editor split with its handle and remembers the width', async () => {
    const dag = page.locator('.editor-dag');
    const before = (await dag.evaluate(boxOf)).width;
    const handle = await page.getByTestId('split-handle').evaluate(boxOf);
    const y = 400;
    await page.mouse.move(handle.left + 3, y);
    await page.mouse.down();
    await page.mouse.move(handle.left + 150, y, { steps: 5 });
    await page.mouse.up();
    const wider = (await dag.evaluate(boxOf)).width;
    assert.ok(wider > before + 100, `the canvas went from ${before} to ${wider} px`);
    await page.reload();
    await page.getByTestId('dag-node-step_0_0').waitFor();
    const kept = (await dag.evaluate(boxOf)).width;
    assert.ok(Math.abs(kept - wider) < 3, `after a reload the canvas is ${kept} px, it was ${wider}`);
    // The keyboard moves it too.
    await page.getByTestId('split-handle').focus();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    assert.ok((await dag.evaluate(boxOf)).width < kept - 20);
  });

  it('keeps the selected block and tab in the address, so reload and Back return to them', async () => {
    await page.getByTestId('dag-node-step_1_1').click();
    await page.getByTestId('block-title').getByText('step_1_1', { exact: true }).waitFor();
    await page.getByTestId('tab-logs').click();
    await page.waitForFunction(() => (globalThis as unknown as { location: { hash: string } }).location.hash.includes('tab=logs'));
    assert.match(page.url(), /#\/pipelines\/wide\?block=step_1_1&tab=logs$/);

    await page.reload();
    await page.getByTestId('block-title').getByText('step_1_1', { exact: true }).waitFor();
    assert.equal(await activeTab(), 'tab-logs');
    await page.getByTestId('block-logs').waitFor();

    // Another block, then another page; Back returns to each in turn.
    await page.getByTestId('dag-node-step_2_1').click();
    await page.getByTestId('block-title').getByText('step_2_1', { exact: true }).waitFor();
    await page.getByTestId('nav-runs').click();
    await page.getByTestId('runs-page').waitFor();
    await page.goBack();
    await page.getByTestId('block-title').getByText('step_2_1', { exact: true }).waitFor();
    assert.equal(await activeTab(), 'tab-logs');
    await page.goBack();
    await page.getByTestId('block-title').getByText('step_1_1', { exact: true }).waitFor();
    assert.equal(await selectedTitle(), 'step_1_1');
    assert.deepEqual(problems, []);
  });
});
