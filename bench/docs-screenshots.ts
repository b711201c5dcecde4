/**
 * Takes the screenshots of docs/ui.md: one per page of the UI at 1280×720,
 * from the sales example served by a real `sluice serve`, into docs/images/.
 *
 *   npm run docs:screenshots [-- --only editor,runs]
 *
 * The pages are the list the page checks visit (test/browser/app-pages.ts):
 * a page added there gets its screenshot here. With `pngquant` on the PATH
 * (apt-get install pngquant, brew install pngquant), each PNG is reduced to
 * at most 256 colours, a third of the size or less, barely visibly.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { appPages, seedExampleProject, visitPage } from '../test/browser/app-pages.ts';
import { ensureWebBuilt, launchBrowser } from '../test/browser/browser-helpers.ts';
import { repoRoot } from '../test/e2e/cli-helpers.ts';

const { values } = parseArgs({ options: { only: { type: 'string' } } });
const only = values.only?.split(',');
const images = path.join(repoRoot, 'docs/images');

function hasPngquant(): boolean {
  try {
    execFileSync('pngquant', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** UI screenshots have few colours: a palette of 256 at most keeps the text crisp at a fraction of the size. */
function shrink(file: string): void {
  try {
    execFileSync('pngquant', ['--quality=80-98', '--speed=1', '--strip', '--force', '--output', file, file], { stdio: 'ignore' });
  } catch {
    // pngquant keeps the file as it is when that quality needs more colours: it stays a full-colour PNG.
  }
}

ensureWebBuilt();
mkdirSync(images, { recursive: true });
const seed = await seedExampleProject();
const browser = await launchBrowser();
const canShrink = hasPngquant();
try {
  const signedIn = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const first = await signedIn.newPage();
  await first.goto(`${seed.served.base}/#token=${encodeURIComponent(seed.served.token)}`);
  await first.getByTestId('pipelines-page').waitFor();
  await first.close();
  for (const appPage of appPages) {
    if (only && !only.includes(appPage.name)) continue;
    const context = appPage.route ? signedIn : await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await visitPage(page, seed.served.base, appPage, seed);
    const file = path.join(images, `${appPage.name}.png`);
    await page.screenshot({ path: file, caret: 'hide', animations: 'disabled' });
    if (canShrink) shrink(file);
    console.log(`${path.relative(repoRoot, file)}  ${(statSync(file).size / 1024).toFixed(0)} KiB`);
    await page.close();
    if (!appPage.route) await context.close();
  }
  if (!canShrink) console.log('pngquant is not on the PATH: the screenshots are full-colour PNGs, about three times the size.');
} finally {
  await browser.close();
  await seed.served.close();
}
