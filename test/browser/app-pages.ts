import { appendFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { apiClient, serveProject, type ServedProject } from './browser-helpers.ts';
import { repoRoot } from '../e2e/cli-helpers.ts';

/** What the pages are shown with: the served example project and one finished run of it. */
export interface SeededProject {
  readonly served: ServedProject;
  readonly runId: string;
}

/**
 * One page of the UI as a user reaches it. A new page is one more entry in
 * `appPages`: the page checks visit it at every size and the docs get its
 * screenshot.
 */
export interface AppPage {
  /** Also the screenshot's file name (docs/images/NAME.png). */
  readonly name: string;
  /** The route after `#`; undefined for the sign-in form, shown to a browser without a session. */
  readonly route: ((seed: SeededProject) => string) | undefined;
  /** What shows once the page has its data: a test id, or a CSS selector. */
  readonly ready: string;
  /** What to do on the page before it is checked (open a tab, a dialog, press a key), each with what shows once it is done. */
  readonly then?: readonly PageStep[];
  /** Shown with the operating system set to dark, which the UI follows unless told otherwise. */
  readonly dark?: boolean;
}

/** A click on a test id, a key pressed, or a few steps of a form; then what shows once it is done. */
export type PageStep = ({ readonly click: string } | { readonly press: string } | { readonly act: (page: Page) => Promise<unknown> }) & { readonly ready: string };

/** Opens a page as a user would reach it, and waits until it shows its data. */
export async function visitPage(page: Page, base: string, appPage: AppPage, seed: SeededProject): Promise<void> {
  await page.emulateMedia({ colorScheme: appPage.dark ? 'dark' : 'light' });
  await page.goto(`${base}/${appPage.route ? `#${appPage.route(seed)}` : ''}`);
  const shown = (what: string) => (/[\s.#[=]/.test(what) ? page.locator(what) : page.getByTestId(what)).first().waitFor();
  await shown(appPage.ready);
  for (const step of appPage.then ?? []) {
    if ('click' in step) await page.getByTestId(step.click).first().click();
    else if ('press' in step) await page.keyboard.press(step.press);
    else await step.act(page);
    await shown(step.ready);
  }
  await page.locator('.loading').first().waitFor({ state: 'detached' });
}

/** The new-connection form filled in for the PostgreSQL of the test machine, then tested. */
async function fillPostgresDraft(page: Page): Promise<void> {
  await page.getByTestId('connection-name').fill('reporting');
  await page.getByTestId('connection-connector').selectOption('postgres');
  await page.getByTestId('connection-field-host').fill('127.0.0.1');
  await page.getByTestId('connection-field-port').fill('5432');
  await page.getByTestId('connection-field-user').fill('postgres');
  await page.getByTestId('connection-field-database').fill('test');
  await page.getByTestId('connection-draft-test').click();
}

const editor = (query = '') => () => `/pipelines/daily_sales${query}`;

export const appPages: readonly AppPage[] = [
  { name: 'sign-in', route: undefined, ready: 'sign-in-form' },
  { name: 'pipelines', route: () => '/pipelines', ready: 'pipelines-table' },
  { name: 'new-pipeline', route: () => '/pipelines', ready: 'pipelines-table', then: [{ click: 'new-pipeline', ready: 'new-pipeline-dialog' }] },
  { name: 'run-dialog', route: () => '/pipelines', ready: 'pipelines-table', then: [{ click: 'run-daily_sales', ready: 'run-dialog' }] },
  { name: 'editor', route: editor(), ready: 'dag-node-daily_revenue' },
  { name: 'editor-sql-output', route: editor('?block=daily_revenue'), ready: 'output-rows' },
  { name: 'editor-sql-stats', route: editor('?block=daily_revenue'), ready: 'output-rows', then: [{ click: 'toggle-stats', ready: '[data-testid=output-stats] tbody tr' }] },
  { name: 'editor-logs', route: editor('?block=clean_sales&tab=logs'), ready: 'block-logs' },
  { name: 'editor-typescript', route: editor('?block=clean_sales'), ready: 'output-rows' },
  { name: 'editor-connector', route: editor('?block=raw_sales'), ready: 'output-rows' },
  { name: 'editor-test', route: editor('?block=check_daily_revenue'), ready: 'output-rows' },
  { name: 'add-block', route: editor(), ready: 'dag-node-daily_revenue', then: [{ click: 'add-block', ready: 'add-block-dialog' }] },
  { name: 'runs', route: () => '/runs', ready: 'runs-table' },
  { name: 'run', route: (seed) => `/runs/${encodeURIComponent(seed.runId)}`, ready: 'gantt-row-daily_revenue' },
  { name: 'run-block', route: (seed) => `/runs/${encodeURIComponent(seed.runId)}`, ready: 'gantt-row-daily_revenue', then: [{ click: 'gantt-row-daily_revenue', ready: 'output-rows' }] },
  { name: 'triggers', route: () => '/triggers', ready: 'trigger-row-daily_sales' },
  { name: 'connections', route: () => '/connections', ready: 'connection-row-postgres' },
  { name: 'connection-form', route: () => '/connections', ready: 'connection-row-postgres', then: [{ click: 'add-connection', ready: 'connection-dialog' }] },
  { name: 'triggers-schedule', route: () => '/triggers', ready: '[data-testid=schedule-next-daily_sales] li', then: [{ act: (page) => page.getByTestId('schedule-input-daily_sales').fill('30 9 * * 1-5'), ready: '[data-testid=schedule-next-daily_sales] li:has-text("09:30")' }] },
  { name: 'connection-test', route: () => '/connections', ready: 'connection-row-postgres', then: [{ click: 'add-connection', ready: 'connection-dialog' }, { act: fillPostgresDraft, ready: '[data-testid=connection-draft-result] .text-ok' }] },
  { name: 'dashboard', route: () => '/dashboard', ready: 'dash-next-row' },
  { name: 'running-now', route: () => '/running', ready: 'running-now-page' },
  { name: 'streams', route: () => '/streams', ready: 'streams-empty' },
  { name: 'alerts', route: () => '/alerts', ready: 'alerts-page' },
  { name: 'dictionaries', route: () => '/dictionaries', ready: 'dictionaries-page' },
  { name: 'command-palette', route: () => '/pipelines', ready: 'pipelines-table', then: [{ press: 'Control+k', ready: 'palette-input' }, { act: (page) => page.getByTestId('palette-input').fill('daily'), ready: 'palette-hit' }] },
  { name: 'shortcuts', route: () => '/pipelines', ready: 'pipelines-table', then: [{ press: '?', ready: 'shortcuts-overlay' }] },
  { name: 'file-picker', route: editor('?block=raw_sales'), ready: 'block-setting-path-browse', then: [{ click: 'block-setting-path-browse', ready: '[data-testid=block-setting-path-browse-picker-entries] [data-testid$=-entry]' }] },
  { name: 'dark-mode', route: editor('?block=daily_revenue'), ready: 'output-rows', dark: true },
  { name: 'lineage', route: () => '/lineage', ready: 'lineage-warning', then: [{ click: 'lineage-warning-show', ready: 'lineage-details' }] },
  { name: 'git', route: () => '/git', ready: 'git-changes', then: [{ click: 'git-change', ready: 'diff-view' }] },
  { name: 'git-history', route: () => '/git', ready: 'git-changes', then: [{ click: 'git-tab-history', ready: 'git-commit' }, { click: 'git-commit', ready: 'diff-view' }] },
  { name: 'audit', route: () => '/audit', ready: 'audit-row', then: [{ click: 'audit-detail-toggle', ready: 'audit-detail' }] },
];

/** A project's files under `dir` (relative path -> content), its `.sluice` state left out. */
export function exampleFiles(dir: string, prefix = ''): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir)) {
    if (entry === '.sluice') continue;
    const full = path.join(dir, entry);
    const relative = prefix ? `${prefix}/${entry}` : entry;
    if (statSync(full).isDirectory()) Object.assign(files, exampleFiles(full, relative));
    else files[relative] = readFileSync(full, 'utf8');
  }
  return files;
}

/**
 * The sales example, served, with a daily schedule, one finished run to
 * show, and changes left uncommitted for the git page.
 */
export async function seedExampleProject(): Promise<SeededProject> {
  const files = exampleFiles(path.join(repoRoot, 'examples/sales'));
  const served = await serveProject(files);
  const client = apiClient(served);
  // A daily schedule, so the pages show one with its next run.
  const scheduled = await fetch(`${served.base}/api/pipelines/daily_sales/triggers`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${served.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ schedule: { cron: '0 6 * * *', timezone: 'UTC' }, schedule_enabled: true }),
  });
  if (!scheduled.ok) throw new Error(`scheduling the example: ${scheduled.status} ${await scheduled.text()}`);
  const { run_id: runId } = await client.json<{ run_id: string }>('/api/pipelines/daily_sales/runs', {});
  const status = await client.waitForRun(runId);
  if (status !== 'succeeded') throw new Error(`the example's run ${runId} ${status}`);
  appendFileSync(path.join(served.dir, 'blocks/daily_revenue.sql'), '-- Revenue per product and day, before tax.\n');
  return { served, runId };
}
