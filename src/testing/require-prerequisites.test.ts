import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const prerequisites = fileURLToPath(new URL('./require-prerequisites.ts', import.meta.url));

/** Runs README's test command (the runner) over `dir`, as a newcomer or CI would. */
function runTests(dir: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  // NODE_TEST_CONTEXT would make the inner runner think it runs inside this test and skip its files.
  for (const key of ['NODE_TEST_CONTEXT', 'CI', 'SLUICE_REQUIRE_ALL', 'SLUICE_TEST_SKIP_LOG', 'SLUICE_TEST_CHROMIUM', 'SLUICE_TEST_MYSQL_URL']) delete base[key];
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(repoRoot, 'scripts/run-tests.mjs'), dir], { cwd: repoRoot, env: { ...base, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: stdout + stderr });
    });
  });
}

const loudLines = (output: string, name: string) => output.split('\n').filter((line) => line.startsWith(`⚠ prerequisite ${name} `));

describe('a test file whose prerequisite the machine lacks', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-prerequisites-'));
    writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    for (const [file, needs] of [['browser-a', 'chromium'], ['browser-b', 'chromium'], ['maria', 'mariadb']]) {
      writeFileSync(
        path.join(dir, `${file}.test.ts`),
        [
          "import { describe, it } from 'node:test';",
          `import { requirePrerequisites } from ${JSON.stringify(prerequisites)};`,
          `const skip = await requirePrerequisites('${needs}');`,
          `describe('${file}', { skip }, () => {`,
          `  it('${file} ran one', () => {});`,
          `  it('${file} ran two', () => {});`,
          '});',
          '',
        ].join('\n'),
      );
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is skipped, and the run passes with one loud line per prerequisite naming the command that provides it', async () => {
    const { code, output } = await runTests(dir, { SLUICE_TEST_CHROMIUM: path.join(dir, 'no-chromium'), SLUICE_TEST_MYSQL_URL: 'mysql://root@127.0.0.1:1/test' });
    assert.equal(code, 0, output);
    assert.doesNotMatch(output, /ran one|ran two/, 'no test that needs a missing prerequisite runs');
    assert.match(output, /browser-a .*# needs chromium, missing on this machine/);
    const chromium = loudLines(output, 'chromium');
    assert.equal(chromium.length, 1, `one line for chromium, not one per file or test:\n${output}`);
    assert.match(chromium[0]!, /no Chromium at .*no-chromium; 2 test files skipped\. Provide it with: sudo apt-get install -y chromium/);
    const mariadb = loudLines(output, 'mariadb');
    assert.equal(mariadb.length, 1, output);
    assert.match(mariadb[0]!, /127\.0\.0\.1:1\b.*1 test file skipped\. Provide it with: sudo apt-get install -y mariadb-server/);
  });

  it('fails the run instead under CI=true, so CI still proves everything', async () => {
    const { code, output } = await runTests(dir, { CI: 'true', SLUICE_TEST_CHROMIUM: path.join(dir, 'no-chromium') });
    assert.notEqual(code, 0, output);
    assert.match(output, /✖ prerequisite chromium is available/);
    assert.match(output, /ran one/, 'the tests whose prerequisites are there still run');
    assert.equal(loudLines(output, 'chromium').length, 1, output);
    assert.match(loudLines(output, 'chromium')[0]!, /MISSING \(required.*2 test files failed/);
  });

  it('fails the run too when a developer sets SLUICE_REQUIRE_ALL=1', async () => {
    const { code, output } = await runTests(dir, { SLUICE_REQUIRE_ALL: '1', SLUICE_TEST_MYSQL_URL: 'mysql://root@127.0.0.1:1/test' });
    assert.notEqual(code, 0, output);
    assert.match(output, /✖ prerequisite mariadb is available/);
  });

  it('runs the tests when the prerequisites are there', async () => {
    const { code, output } = await runTests(dir, { SLUICE_TEST_CHROMIUM: process.execPath });
    assert.equal(code, 0, output);
    assert.match(output, /✔ browser-a ran one/);
    assert.match(output, /✔ maria ran two/);
    assert.doesNotMatch(output, /⚠ prerequisite/);
  });
});
