import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BlockRunRecord } from '../../src/core/run-store/run-store.ts';
import { SqliteRunStore } from '../../src/core/run-store/sqlite-run-store.ts';
import { sluice, tempDir, writeProject } from './cli-helpers.ts';

const runId = (text: string): string => /Run (?:failed|succeeded) (\S+)/.exec(text)![1]!.replace(/:$/, '');
const waits = (ms: number): string => `export default async () => {\n  await new Promise((resolve) => setTimeout(resolve, ${ms}));\n  return [{ done: 1 }];\n};\n`;

/** Each block run's [start, end) in milliseconds, as the run store (and so the UI's Gantt) has them. */
async function blockRuns(dir: string, id: string): Promise<Map<string, BlockRunRecord & { from: number; to: number }>> {
  const store = new SqliteRunStore(path.join(dir, '.sluice', 'sluice.db'));
  try {
    const records = await store.listBlockRuns(id);
    return new Map(records.map((r) => [r.block, { ...r, from: r.startedAt ? Date.parse(r.startedAt) : NaN, to: r.endedAt ? Date.parse(r.endedAt) : NaN }]));
  } finally {
    await store.close();
  }
}

describe('independent blocks run side by side', () => {
  const { dir, cleanup } = tempDir('sluice-parallel-');
  after(cleanup);
  before(() =>
    writeProject(dir, {
      'sluice.yaml': 'name: parallel\n',
      // Three waiting blocks with nothing between them, a branch that fails, and one that goes on.
      'pipelines/wide.yaml': [
        'blocks:',
        '  - { name: wait_a, file: blocks/wait.ts }',
        '  - { name: wait_b, file: blocks/wait.ts }',
        '  - { name: wait_c, file: blocks/wait.ts }',
        '  - { name: broken, file: blocks/broken.ts }',
        '  - { name: after_broken, file: blocks/after.sql, upstream: [broken] }',
        '  - { name: after_waits, file: blocks/after_waits.sql, upstream: [wait_a, wait_b, wait_c] }',
        '',
      ].join('\n'),
      'blocks/wait.ts': waits(700),
      'blocks/broken.ts': "export default () => {\n  throw new Error('this branch breaks');\n};\n",
      'blocks/after.sql': 'SELECT * FROM broken\n',
      'blocks/after_waits.sql': 'SELECT count(*) AS n FROM (SELECT * FROM wait_a UNION ALL SELECT * FROM wait_b UNION ALL SELECT * FROM wait_c)\n',
    }),
  );

  it('runs blocks whose upstreams have finished at once, and a failure stops only its own branch', async () => {
    const r = await sluice(dir, ['run', 'wide', '--concurrency', '4']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const runs = await blockRuns(dir, runId(r.stderr));
    const waiting = ['wait_a', 'wait_b', 'wait_c'].map((name) => runs.get(name)!);
    for (const run of waiting) assert.equal(run.status, 'succeeded', `${run.block}: ${run.status}`);
    // All three were running at one moment: the last to start started before the first to end ended.
    assert.ok(Math.max(...waiting.map((w) => w.from)) < Math.min(...waiting.map((w) => w.to)), `the waits did not overlap: ${JSON.stringify(waiting)}`);
    assert.equal(runs.get('broken')?.status, 'failed');
    assert.equal(runs.get('after_broken')?.status, 'skipped');
    assert.equal(runs.get('after_waits')?.status, 'succeeded', 'the branch that did not depend on the failure finished');
    assert.ok(runs.get('after_waits')!.from >= Math.max(...waiting.map((w) => w.to)), 'a block starts only after all its upstreams ended');
    // The progress display shows every start before the first of those blocks ends.
    const firstEnd = Math.min(...waiting.map((w) => r.stdout.indexOf(`✓ ${w.block}`)));
    for (const w of waiting) assert.ok(r.stdout.indexOf(`… ${w.block}`) < firstEnd, `the display did not show ${w.block} starting alongside the others:\n${r.stdout}`);
    assert.match(r.stdout, /✓ after_waits/);
    assert.match(r.stderr, /this branch breaks/);
  });

  it('runs one block after another with --concurrency 1', async () => {
    const r = await sluice(dir, ['run', 'wide', '--concurrency', '1']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const ran = [...(await blockRuns(dir, runId(r.stderr))).values()].filter((b) => b.startedAt).sort((x, y) => x.from - y.from);
    for (let i = 1; i < ran.length; i++) assert.ok(ran[i]!.from >= ran[i - 1]!.to, `${ran[i]!.block} started before ${ran[i - 1]!.block} ended`);
    assert.equal(ran.length, 5, 'every block but the skipped one ran');
  });

  it("takes the pipeline's concurrency from its file, and refuses a bad --concurrency", async () => {
    writeProject(dir, { 'pipelines/narrow.yaml': 'concurrency: 1\nblocks:\n  - { name: one, file: blocks/wait.ts }\n  - { name: two, file: blocks/wait.ts }\n' });
    const r = await sluice(dir, ['run', 'narrow']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const runs = await blockRuns(dir, runId(r.stdout));
    assert.ok(runs.get('two')!.from >= runs.get('one')!.to, 'with concurrency: 1 the second block waited for the first');
    const bad = await sluice(dir, ['run', 'narrow', '--concurrency', '0']);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--concurrency takes a whole number from 1 to 256; got '0'/);
  });
});
