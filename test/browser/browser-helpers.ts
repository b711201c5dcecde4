import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { chromiumPath } from '../../src/testing/prerequisite-checks.ts';
import { waitFor } from '../../src/testing/wait-for.ts';
import { repoRoot, stop, tempDir, writeProject } from '../e2e/cli-helpers.ts';

export const artifacts = path.join(repoRoot, 'test/browser/artifacts');

function newestChange(entry: string): number {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(entry).map((name) => newestChange(path.join(entry, name))));
}

function webIsFresh(): boolean {
  const built = path.join(repoRoot, 'web/dist/index.html');
  const sources = Math.max(newestChange(path.join(repoRoot, 'web/src')), newestChange(path.join(repoRoot, 'web/index.html')));
  return existsSync(built) && statSync(built).mtimeMs >= sources;
}

/**
 * Builds the UI when it is missing or older than its sources, as `npm ci`
 * would have. Test files run side by side: one builds, the others wait.
 */
export function ensureWebBuilt(): void {
  if (webIsFresh()) return;
  const lock = path.join(repoRoot, 'web/.build-lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`the UI build lock ${lock} is held for two minutes; remove it if no build runs`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (webIsFresh()) return;
    execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '-c', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: repoRoot, stdio: 'inherit' });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface ServedProject {
  readonly dir: string;
  readonly base: string;
  readonly token: string;
  readonly output: () => string;
  readonly close: () => Promise<void>;
}

/** A fresh project in git, served by the real `sluice serve` on a free port. */
export async function serveProject(files: Record<string, string>, args: string[] = ['--no-scheduler']): Promise<ServedProject> {
  const { dir, cleanup } = tempDir('sluice-ui-');
  writeProject(dir, { '.gitignore': '.sluice/\n', ...files });
  const git = (...a: string[]) => execFileSync('git', a, { cwd: dir, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('-c', 'user.name=Sluice Test', '-c', 'user.email=test@example.com', 'add', '-A');
  git('-c', 'user.name=Sluice Test', '-c', 'user.email=test@example.com', 'commit', '-qm', 'start');
  const env: NodeJS.ProcessEnv = { ...process.env, CI: '1', NO_COLOR: '1', GIT_AUTHOR_NAME: 'Sluice Test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'Sluice Test', GIT_COMMITTER_EMAIL: 'test@example.com' };
  delete env.SLUICE_API_TOKEN;
  let text = '';
  const child: ChildProcess = spawn(process.execPath, [path.join(repoRoot, 'bin/sluice.js'), 'serve', '--port', '0', ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const base = await waitFor(() => / on (http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1], { what: 'the server to start', giveUpWhen: () => (child.exitCode !== null ? text : undefined) });
  const token = readFileSync(path.join(dir, '.sluice/api-token'), 'utf8').trim();
  return {
    dir,
    base,
    token,
    output: () => text,
    close: async () => {
      await stop(child);
      cleanup();
    },
  };
}

/** Debian's Chromium (or SLUICE_TEST_CHROMIUM), headless. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/**
 * A page that records what the console says: a CSP violation or an
 * uncaught error fails the test that checks `problems`.
 */
export async function openPage(browser: Browser, options: BrowserContextOptions = {}): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, ...options });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    if (/Content Security Policy|Refused to/.test(text)) problems.push(`csp: ${text}`);
  });
  return { page, problems };
}

export async function signIn(page: Page, served: ServedProject): Promise<void> {
  await page.goto(`${served.base}/#token=${encodeURIComponent(served.token)}`);
  await page.getByTestId('pipelines-page').waitFor();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, `${name}.png`) });
}

export { writeProject };

/** A settings form folds optional settings away: unfold them when the one wanted is there. */
export async function revealSetting(page: Page, prefix: string, key: string): Promise<void> {
  if (await page.getByTestId(`${prefix}-${key}`).isVisible()) return;
  await page.getByTestId(`${prefix}-more`).click();
}

/** Calls the served project's API with its token: GET without a body, POST with one. */
export async function callApi<T>(served: ServedProject, route: string, body?: unknown): Promise<T> {
  const response = await fetch(`${served.base}${route}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${served.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Waits for a run to leave queued and running and returns it as the API shows it. */
export async function finishedRun<R extends { status: string }>(served: ServedProject, runId: string): Promise<R> {
  return waitFor(
    async () => {
      const { run } = await callApi<{ run: R }>(served, `/api/runs/${runId}`);
      return !['queued', 'running'].includes(run.status) && run;
    },
    { what: `run ${runId} to finish` },
  );
}

/** The served project's API with its token, for setting up and checking what the browser does. */
export function apiClient(served: ServedProject): { json: <T>(route: string, body?: unknown) => Promise<T>; waitForRun: (runId: string) => Promise<string> } {
  return {
    json: <T,>(route: string, body?: unknown) => callApi<T>(served, route, body),
    waitForRun: async (runId: string) => (await finishedRun(served, runId)).status,
  };
}

/** Closes a dialog an earlier failed step left open, so each test starts from the page itself. */
export async function closeDialogs(page: Page): Promise<void> {
  if (await page.locator('.modal-backdrop').isVisible()) await page.keyboard.press('Escape');
  await page.locator('.modal-backdrop').waitFor({ state: 'detached' });
}

/** Chromium signed in to the served project at a laptop's size, recording console problems. */
export async function browseSignedIn(served: ServedProject, viewport = { width: 1280, height: 720 }): Promise<{ browser: Browser; page: Page; problems: string[] }> {
  const browser = await launchBrowser();
  const { page, problems } = await openPage(browser, { viewport });
  page.setDefaultTimeout(8000);
  await signIn(page, served);
  return { browser, page, problems };
}
