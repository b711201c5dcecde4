/**
 * How fast the web UI answers, in Debian's Chromium against a real `sluice serve`:
 *
 *   npm run bench:ui -- [--blocks 200] [--rounds 5]
 *
 * 1. Time to first render of the pipelines page: a full page load, signed in, until the table shows.
 * 2. Time until the first page of a 1,000,000-row block output appears in the output table, from
 *    the click that asks for it (target: under 300 ms).
 * 3. Editor responsiveness with a pipeline of N blocks: time to draw the DAG, time from a click on a
 *    block to its code in the editor, and typing latency (keydown to the next painted frame).
 * 4. First paint of the runs list with --runs (10,000) runs in the store: a full load until the first
 *    page of rows shows (target: under 300 ms), and the server's answer for that page alone.
 * 5. First paint of a pipeline page whose charts show its last 30 runs: a full load until both charts are drawn.
 * Medians of --rounds; timings are reported, never asserted.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { seedRunStore } from './ui-seed.ts';
import { ensureWebBuilt, launchBrowser, openPage, screenshot, serveProject, signIn } from '../test/browser/browser-helpers.ts';

const { values } = parseArgs({ options: { blocks: { type: 'string', default: '200' }, rounds: { type: 'string', default: '5' }, runs: { type: 'string', default: '10000' } } });
const storedRuns = Number(values.runs);
const chartedBlocks = ['orders', 'customers', 'clean_orders', 'daily_totals', 'export'];
const blockCount = Number(values.blocks);
const rounds = Number(values.rounds);

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}
const ms = (n: number) => `${n.toFixed(0)} ms`;

/** A layered DAG as pipelines grow: rows of 20 blocks, each reading one or two blocks of the row before. */
function bigPipeline(count: number): Record<string, string> {
  const files: Record<string, string> = {};
  const lines = ['blocks:'];
  const width = 20;
  for (let i = 0; i < count; i++) {
    const ups = i < width ? [] : [...new Set([`b${i - width}`, `b${i - width - ((i * 7) % width === 0 ? 0 : 1)}`])].filter((u) => u !== `b-1`);
    lines.push(`  - { name: b${i}, file: blocks/b${i}.sql${ups.length ? `, upstream: [${ups.join(', ')}]` : ''} }`);
    files[`blocks/b${i}.sql`] = ups.length ? `-- block ${i}\nSELECT n + ${i} AS n FROM ${ups[0]}\n` : `-- block ${i}\nSELECT ${i} AS n\n`;
  }
  files['pipelines/big.yaml'] = `${lines.join('\n')}\n`;
  return files;
}

async function main(): Promise<void> {
  ensureWebBuilt();
  const served = await serveProject({
    'sluice.yaml': 'name: ui_bench\n',
    'pipelines/million.yaml': 'blocks:\n  - { name: rows, file: blocks/rows.sql }\n',
    'blocks/rows.sql': "SELECT i AS id, 'row ' || i AS label, i * 2 AS twice, now() AS at FROM range(1000000) t(i)\n",
    ...bigPipeline(blockCount),
    'pipelines/charted.yaml': `blocks:\n${chartedBlocks.map((b) => `  - { name: ${b}, file: blocks/charted_${b}.sql }\n`).join('')}`,
    ...Object.fromEntries(chartedBlocks.map((b) => [`blocks/charted_${b}.sql`, 'SELECT 1 AS one\n'])),
  });
  await seedRunStore(served.dir, storedRuns, { runs: 30, blocks: chartedBlocks });
  const browser = await launchBrowser();
  try {
    const runAnswer = await fetch(`${served.base}/api/pipelines/million/runs`, { method: 'POST', headers: { authorization: `Bearer ${served.token}`, 'content-type': 'application/json' }, body: '{}' });
    const { run_id: runId } = (await runAnswer.json()) as { run_id: string };
    for (let i = 0; i < 300; i++) {
      const state = (await (await fetch(`${served.base}/api/runs/${runId}`, { headers: { authorization: `Bearer ${served.token}` } })).json()) as { run: { status: string } };
      if (state.run.status === 'succeeded') break;
      if (state.run.status === 'failed') throw new Error('the million-row run failed');
      await sleep(100);
    }

    const { page } = await openPage(browser);
    await page.addInitScript(`new MutationObserver(() => {
      if (!window.seenShell && document.querySelector('[data-testid="pipelines-page"]')) window.seenShell = performance.now();
      if (!window.seenRows && document.querySelector('[data-testid="pipeline-row-million"]')) window.seenRows = performance.now();
      if (!window.seenRunRows && document.querySelector('[data-testid="run-row"]')) window.seenRunRows = performance.now();
      if (!window.seenCharts && document.querySelector('[data-testid="chart-duration-bar"]') && document.querySelector('[data-testid="chart-rows-series"]')) window.seenCharts = performance.now();
    }).observe(document, { subtree: true, childList: true });`);
    await signIn(page, served);

    // Full loads: from navigation start to the page shell, and to the table filled from the API.
    const shell: number[] = [];
    const filled: number[] = [];
    for (let i = 0; i < rounds; i++) {
      await page.goto(`${served.base}/?r=${i}#/pipelines`);
      await page.getByTestId('pipeline-row-million').waitFor();
      const [a, b] = await page.evaluate<[number, number]>('[window.seenShell ?? NaN, window.seenRows ?? NaN]');
      shell.push(a);
      filled.push(b);
    }

    const firstPage: number[] = [];
    for (let i = 0; i < rounds; i++) {
      await page.goto(`${served.base}/?r=${i}#/runs/${runId}`);
      await page.getByTestId('gantt-row-rows').waitFor();
      firstPage.push(await clickUntil(page, () => page.getByTestId('gantt-row-rows').click(), '[data-testid="output-rows"] tbody tr:nth-child(100)', ''));
    }

    // Full loads of the runs list and of a charted pipeline page, as a bookmark or a reload opens them.
    const runsList: number[] = [];
    const runsApi: number[] = [];
    const charts: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const asked = performance.now();
      const answer = await fetch(`${served.base}/api/run-list?limit=50`, { headers: { authorization: `Bearer ${served.token}` } });
      await answer.json();
      runsApi.push(performance.now() - asked);
      await page.goto(`${served.base}/?r=${i}#/runs`);
      await page.getByTestId('run-row').first().waitFor();
      runsList.push(await page.evaluate<number>('window.seenRunRows ?? NaN'));
      await page.goto(`${served.base}/?r=${i}#/pipelines/charted`);
      await page.getByTestId('chart-rows-series').first().waitFor();
      charts.push(await page.evaluate<number>('window.seenCharts ?? NaN'));
    }
    await screenshot(page, 'bench-charted-pipeline');
    // Said at once as well: the editor rounds below take minutes.
    console.log(`runs list first rows ${ms(median(runsList))}, pipeline page charts drawn ${ms(median(charts))}`);

    const dag: number[] = [];
    const select: number[] = [];
    for (let i = 0; i < rounds; i++) {
      await page.goto(`${served.base}/?r=${i}#/pipelines`);
      await page.getByTestId('pipeline-row-big').waitFor();
      dag.push(await clickUntil(page, () => page.getByTestId('pipeline-row-big').getByRole('link', { name: 'big' }).click(), '.react-flow__node', ''));
      await sleep(300);
      const name = await visibleNode(page, i * 7);
      select.push(await clickUntil(page, () => page.getByTestId(`dag-node-${name}`).click(), '.cm-content', `block ${name.slice(1)}`));
    }
    const typing = await typingLatency(page, 60);

    await screenshot(page, `bench-${blockCount}-blocks`);

    console.log(`Sluice web UI (${rounds} rounds, medians; Chromium headless)`);
    console.log(`  pipelines page, full load: page drawn      ${ms(median(shell))}, table filled ${ms(median(filled))}`);
    console.log(`  1,000,000-row output, first page shown     ${ms(median(firstPage))}   (target < 300 ms)`);
    console.log(`  ${blockCount}-block pipeline: DAG drawn             ${ms(median(dag))}`);
    console.log(`  ${blockCount}-block pipeline: select block -> code  ${ms(median(select))}`);
    console.log(`  runs list, ${storedRuns.toLocaleString('en-US')} runs stored: first rows  ${ms(median(runsList))}   (target < 300 ms; the API's page alone ${ms(median(runsApi))})`);
    console.log(`  pipeline page with 30 runs of charts: drawn  ${ms(median(charts))}`);
    console.log(`  ${blockCount}-block pipeline: typing latency        median ${ms(median(typing))}, worst ${ms(Math.max(...typing))} (keydown to next frame, ${typing.length} keys)`);
  } finally {
    await browser.close();
    await served.close();
  }
}

/**
 * Time in the page from the pointer press that `click` makes to the first
 * moment `selector` exists (and holds `text`): what the user waits, without
 * the test driver's own round trips.
 */
async function clickUntil(page: Page, click: () => Promise<void>, selector: string, text: string): Promise<number> {
  const done = page.evaluate<number>(`new Promise((resolve) => {
    let start = 0;
    document.addEventListener('pointerdown', () => { start = performance.now(); }, { capture: true, once: true });
    const check = () => {
      const el = document.querySelector(${JSON.stringify(selector)});
      if (start && el && el.textContent.includes(${JSON.stringify(text)})) { resolve(performance.now() - start); return true; }
      return false;
    };
    const observer = new MutationObserver(() => { if (check()) observer.disconnect(); });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
  })`);
  await click();
  return done;
}

/** The name of the n-th block drawn inside the canvas (React Flow draws only what is in view). */
async function visibleNode(page: Page, n: number): Promise<string> {
  // In-page code goes as text: it runs in the browser, not in Node. It waits for the view to settle on some blocks.
  // Polled with evaluate: waitForFunction would eval the text, which the page's CSP forbids.
  for (let tries = 0; ; tries++) {
    const found = await page.evaluate<string | false>(`(() => {
      const canvas = document.querySelector('[data-testid="dag-canvas"]')?.getBoundingClientRect();
    if (!canvas) return false;
    const inside = [...document.querySelectorAll('.dag-node')].filter((el) => {
      const r = el.getBoundingClientRect();
        return r.left > canvas.left + 20 && r.right < canvas.right - 20 && r.top > canvas.top + 20 && r.bottom < canvas.bottom - 60;
    });
    return inside.length > 0 && inside[${n} % inside.length].dataset.testid.replace('dag-node-', '');
  })()`);
    if (found) return found;
    if (tries > 200) throw new Error('no block came into view within 10 s');
    await sleep(50);
  }
}

/** Keydown to the frame after it, measured in the page while the user types into the editor. */
async function typingLatency(page: Page, keys: number): Promise<number[]> {
  await page.locator('.cm-content').click();
  await page.keyboard.press('End');
  await page.evaluate(`(() => {
    window.typingSamples = [];
    document.addEventListener('keydown', () => {
      const start = performance.now();
      requestAnimationFrame(() => setTimeout(() => window.typingSamples.push(performance.now() - start), 0));
    }, true);
  })()`);
  for (let i = 0; i < keys; i++) {
    await page.keyboard.type(String.fromCharCode(97 + (i % 26)));
    await sleep(15);
  }
  await sleep(100);
  return page.evaluate<number[]>('window.typingSamples');
}

await main();
