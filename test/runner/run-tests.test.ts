import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../e2e/cli-helpers.ts';

// Each case starts the runner, and the runner a process per file: a few seconds
// that prove nothing about Sluice itself, so they run with the heavy tests.
const skip = process.env.SLUICE_HEAVY !== '1' && 'set SLUICE_HEAVY=1';
const fixture = (name: string): string => path.join('test/runner/.fixtures', name);

/** Runs scripts/run-tests.mjs on the given files and flags, as `npm test` would. */
function runTests(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(repoRoot, 'scripts/run-tests.mjs'), ...args],
      // Started from a test file, the runner's children would otherwise think they are this file's.
      { cwd: repoRoot, env: { ...process.env, NODE_TEST_CONTEXT: undefined, NO_COLOR: '1', ...env }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}\n${stderr}` }),
    );
  });
}

describe('the test runner', { skip }, () => {
  it('fails a file whose process stays alive after its tests end, naming the file and what it left open', async () => {
    const { code, output } = await runTests([fixture('leaves-server-open.test.ts'), fixture('closes-what-it-opens.test.ts')], { SLUICE_TEST_LINGER_MS: '1000' });
    assert.equal(code, 1, output);
    assert.match(output, /leaves-server-open\.test\.ts: still running 1 s after its tests ended; open: .*TCPServerWrap/, output);
    assert.match(output, /✖ .*leaves-server-open\.test\.ts/, output);
    assert.doesNotMatch(output, /✖ .*closes-what-it-opens\.test\.ts/, output);
    assert.match(output, /ℹ pass 2\b/, output);
  });

  it('passes a file that closes what it opens', async () => {
    const { code, output } = await runTests([fixture('closes-what-it-opens.test.ts')], { SLUICE_TEST_LINGER_MS: '1000' });
    assert.equal(code, 0, output);
  });

  it('fails a file whose test never ends once the test timeout passes, naming the file', async () => {
    const { code, output } = await runTests([fixture('never-ends.test.ts'), '--test-timeout=2000']);
    assert.equal(code, 1, output);
    assert.match(output, /✖ .*never-ends\.test\.ts .*\n\s*'test timed out after 2000ms'/, output);
  });
});
