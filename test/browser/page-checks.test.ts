import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { appPages, seedExampleProject, visitPage, type SeededProject } from './app-pages.ts';
import { ensureWebBuilt, launchBrowser, screenshot } from './browser-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';

// The connection form's Test is shown against the real PostgreSQL.
const skip = await requirePrerequisites('chromium', 'postgres');

const sizes = [
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
] as const;

// Reported to the console from inside the page, where the browser raises it; the console listener collects it.
const reportCspViolations = `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber));`;

interface PageGlobals {
  readonly document: { readonly documentElement: { scrollWidth: number; clientWidth: number }; querySelectorAll: (selector: string) => Iterable<PageElement> };
  readonly innerWidth: number;
  readonly getComputedStyle: (element: PageElement) => { overflowX: string; visibility: string; display: string };
}
interface PageElement {
  readonly parentElement: PageElement | null;
  readonly scrollWidth: number;
  readonly clientWidth: number;
  readonly outerHTML: string;
  getBoundingClientRect(): { left: number; right: number; width: number; height: number };
  closest(selector: string): PageElement | null;
}

/**
 * What overflows the window sideways: the page itself scrolling sideways, and
 * each control that lies beyond the window's edge where no scrolling box
 * around it can bring it back. A pannable canvas is meant to overflow.
 */
function hiddenSideways(): string[] {
  const { document, innerWidth, getComputedStyle } = globalThis as unknown as PageGlobals;
  const found: string[] = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) found.push(`the page scrolls sideways: ${root.scrollWidth}px wide in a ${root.clientWidth}px window`);
  // The content area beside the navigation scrolls too, but a page wider than it hides its right edge all the same.
  for (const content of document.querySelectorAll('main')) {
    if (content.scrollWidth > content.clientWidth + 1) found.push(`the content scrolls sideways: ${content.scrollWidth}px wide in ${content.clientWidth}px`);
  }
  // No inner functions: the test runner's compiler would wrap them in a helper the page does not have.
  for (const control of document.querySelectorAll('a[href], button, input, select, textarea, [role=button]')) {
    const rect = control.getBoundingClientRect();
    if (!rect.width || !rect.height || getComputedStyle(control).visibility === 'hidden') continue;
    if (control.closest('.react-flow') || control.closest('.cm-editor')) continue;
    if (rect.right <= innerWidth + 1 && rect.left >= -1) continue;
    let scrolls = false;
    for (let box = control.parentElement; box && !scrolls; box = box.parentElement) {
      const overflow = getComputedStyle(box).overflowX;
      scrolls = (overflow === 'auto' || overflow === 'scroll') && box.scrollWidth > box.clientWidth;
    }
    if (!scrolls) found.push(`out of the window (${Math.round(rect.left)}..${Math.round(rect.right)} of ${innerWidth}px): ${control.outerHTML.slice(0, 120)}`);
  }
  return found;
}

/** Records every console error, uncaught error, CSP violation and failed request of a page. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || /Content Security Policy|Refused to/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} from ${response.request().method()} ${new URL(response.url()).pathname}`);
  });
  page.on('requestfailed', (request) => {
    // Leaving a page ends its open streams: an abort is the browser's doing, not a failure.
    if (request.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`);
  });
  return problems;
}

describe('every page at laptop and desktop size: no console error, CSP violation, failed request or control pushed out of sight', { skip }, () => {
  let seed: SeededProject;
  let browser: Browser;

  before(async () => {
    ensureWebBuilt();
    seed = await seedExampleProject();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await seed?.served.close();
  });

  it('catches what it looks for: a CSP violation, a console error, a failed request and a control out of sight', async () => {
    const context = await browser.newContext({ viewport: sizes[0] });
    await context.addInitScript(reportCspViolations);
    const page = await context.newPage();
    const problems = watchProblems(page);
    try {
      await page.goto(`${seed.served.base}/`);
      await page.getByTestId('sign-in-form').waitFor();
      await page.evaluate(() => {
        const { document } = globalThis as unknown as { document: { createElement: (tag: string) => { textContent: string; style: { cssText: string } }; body: { append: (node: unknown) => void } } };
        const inline = document.createElement('script');
        inline.textContent = 'void 0';
        document.body.append(inline);
        const button = document.createElement('button');
        button.textContent = 'pushed out';
        button.style.cssText = 'position: absolute; left: 1500px; top: 10px';
        document.body.append(button);
        console.error('a broken page');
        void fetch('/api/no-such-route');
      });
      await waitFor(() => problems.some((p) => /^4\d\d from GET \/api\/no-such-route/.test(p)) && problems.some((p) => /CSP violation: script-src/.test(p)), { what: 'the problems to be reported', timeout: 10_000 }).catch((error: unknown) => {
        throw new Error(`${String(error)}; reported: ${problems.join('; ')}`);
      });
      assert.ok(problems.includes('console: a broken page'), problems.join('\n'));
      const hidden = await page.evaluate(hiddenSideways);
      assert.ok(hidden.some((h) => h.includes('pushed out')), hidden.join('\n'));
      assert.ok(hidden.some((h) => h.startsWith('the page scrolls sideways')), hidden.join('\n'));
    } finally {
      await context.close();
    }
  });

  for (const size of sizes) {
    describe(`at ${size.width}×${size.height}`, () => {
      let signedIn: BrowserContext;
      before(async () => {
        signedIn = await browser.newContext({ viewport: size });
        await signedIn.addInitScript(reportCspViolations);
        const page = await signedIn.newPage();
        await page.goto(`${seed.served.base}/#token=${encodeURIComponent(seed.served.token)}`);
        await page.getByTestId('pipelines-page').waitFor();
        await page.close();
      });
      after(async () => signedIn?.close());

      for (const appPage of appPages) {
        it(appPage.name, async () => {
          // The sign-in form is what a browser without a session sees.
          const context = appPage.route ? signedIn : await browser.newContext({ viewport: size });
          if (!appPage.route) await context.addInitScript(reportCspViolations);
          const page = await context.newPage();
          page.setDefaultTimeout(15_000);
          const problems = watchProblems(page);
          try {
            await visitPage(page, seed.served.base, appPage, seed);
            assert.deepEqual(problems, [], `${appPage.name} at ${size.width}×${size.height}`);
            assert.deepEqual(await page.evaluate(hiddenSideways), [], `${appPage.name} at ${size.width}×${size.height}`);
          } catch (error) {
            await screenshot(page, `page-check-${appPage.name}-${size.width}`);
            throw error;
          } finally {
            await page.close();
            if (!appPage.route) await context.close();
          }
        });
      }
    });
  }
});
