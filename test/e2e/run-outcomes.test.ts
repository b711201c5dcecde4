import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chattyProject, sluice, sluiceUntil, tempDir, writeProject } from './cli-helpers.ts';
import { runModes, setUpMode, skipMode, type ModeSetup } from './run-modes.ts';

const runId = (text: string): string => /Run (?:failed|succeeded) (\S+)/.exec(text)![1]!.replace(/:$/, '');

for (const runMode of runModes()) {
  describe(`what a block role means, in SQL and in TypeScript alike${runMode.label}`, { skip: await skipMode(runMode) }, () => {
    const { dir, cleanup } = tempDir('sluice-roles-');
    let setup: ModeSetup | undefined;
    after(async () => {
      await setup?.close();
      cleanup();
    });
    before(async () => {
      setup = await setUpMode(runMode, 'roles');
      writeProject(dir, {
        'sluice.yaml': ['name: roles', ...setup.settings, ''].join('\n'),
        'pipelines/checked.yaml': [
          'blocks:',
          '  - name: amounts',
          '    file: blocks/amounts.sql',
          '  - { name: sql_check, role: test, file: blocks/sql_check.sql, upstream: [amounts] }',
          '  - { name: ts_check, file: blocks/ts_check.ts, upstream: [amounts] }',
          '  - { name: ts_typed_check, role: test, file: blocks/ts_check.ts, upstream: [amounts] }',
          '',
        ].join('\n'),
        // Two sensors waiting for a file that never comes: neither may let its pipeline go on.
        'pipelines/waiting.yaml': [
          'blocks:',
          '  - { name: sql_sensor, role: sensor, file: blocks/flag.sql, poke_interval: 50ms, timeout: 1s }',
          // Its timeout also covers loading its module, which a busy machine can stretch past a second.
          '  - { name: ts_sensor, file: blocks/flag.ts, poke_interval: 50ms, timeout: 3s }',
          '',
        ].join('\n'),
        // A sensor whose check ignores its signal (a slow remote call): it outlives the block run's timeout.
        'pipelines/abandoned.yaml': 'blocks:\n  - { name: slow_sensor, role: sensor, file: blocks/slow_check.ts, poke_interval: 50ms, timeout: 1s }\n',
        'blocks/slow_check.ts': "import { defineSensor } from 'sluice';\nexport default defineSensor(async () => {\n  await new Promise((resolve) => setTimeout(resolve, 400));\n  return false;\n});\n",
        // A block that says it waits, then waits for a file the test writes only once `sluice run` has shown that line.
        ...chattyProject,
        'blocks/flag.sql': "SELECT file FROM glob('never/*.flag')\n",
        'blocks/flag.ts': "import { existsSync } from 'node:fs';\nimport { defineSensor } from 'sluice';\nexport default defineSensor(() => existsSync('never/ready.flag'));\n",
        'blocks/amounts.sql': "SELECT * FROM (VALUES (1, 10), (2, -5), (3, 7)) t(id, amount) WHERE getvariable('bad') OR amount > 0\n",
        'blocks/sql_check.sql': 'SELECT id, amount FROM amounts WHERE amount < 0\n',
        'blocks/ts_check.ts': `import { defineTest } from 'sluice';
  export default defineTest(async ({ amounts }) => (await amounts.collect()).filter((row) => Number(row.amount) < 0));
  `,
      });
      await setup.start(dir);
    });

    it('fails a test in either language when it returns failing rows, and shows them in preview', async () => {
      const r = await sluice(dir, ['run', 'checked', '--var', 'bad=true']);
      assert.equal(r.code, 1, r.stdout);
      const logs = await sluice(dir, ['logs', runId(r.stderr)]);
      for (const block of ['sql_check', 'ts_check', 'ts_typed_check']) {
        assert.match(r.stdout, new RegExp(`✗ ${block}`), `${block} did not fail:\n${r.stdout}`);
        assert.match(logs.stdout, new RegExp(`block '${block}': test found 1 failing row\\(s\\); preview them with 'sluice preview checked ${block}'`));
      }
      const preview = await sluice(dir, ['preview', 'checked', 'ts_check']);
      assert.equal(preview.code, 0, preview.stderr);
      assert.match(preview.stdout, /failing rows of test 'ts_check' from failed run/);
      assert.match(preview.stdout, /^2\s+-5$/m);
    });

    it('keeps a sensor in either language waiting until its timeout while its condition does not hold', async () => {
      const r = await sluice(dir, ['run', 'waiting']);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /✗ sql_sensor/);
      assert.match(r.stdout, /✗ ts_sensor/);
      const logs = await sluice(dir, ['logs', runId(r.stderr + r.stdout)]);
      // `sluice logs` prints each block's lines in a paragraph under its name.
      const tsSensorLines = logs.stdout.split('\n\n').find((part) => /^\S+ ts_sensor\b/.test(part)) ?? '';
      assert.match(tsSensorLines, /condition not met \(check 1\)/, logs.stdout);
      assert.match(tsSensorLines, /did not hold within 3(\.0)?s|ran longer than its timeout of 3(\.0)?s/, logs.stdout);
      assert.match(r.stderr + logs.stdout, /sensor 'sql_sensor': its condition did not hold within 1(\.0)?s/, r.stderr + logs.stdout);
      // Shown by `sluice run` too, wherever the block run ran (a worker's lines are followed in the run store).
      assert.match(r.stdout, /ts_sensor: condition not met \(check 1\)/);
    });

    it('stops a sensor\'s check abandoned at its timeout: nothing is logged for the block run after its failure', async () => {
      const r = await sluice(dir, ['run', 'abandoned']);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      // The check under way at the timeout ends 400 ms later, in a worker that lives on; give it time to (wrongly) log.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const logs = await sluice(dir, ['logs', runId(r.stderr + r.stdout)]);
      const lines = (logs.stdout.split('\n\n').find((part) => /^\S+ slow_sensor\b/.test(part)) ?? '').split('\n');
      const failedAt = lines.findIndex((line) => /its condition did not hold within 1(\.0)?s/.test(line));
      assert.ok(failedAt > 0, logs.stdout);
      // Logged lines start with their time; the paragraph's last line repeats the block run's error.
      const loggedAfter = lines.slice(failedAt + 1).filter((line) => /^\s+\d\d:\d\d:\d\d/.test(line));
      assert.deepEqual(loggedAfter, [], `lines after the failure:\n${logs.stdout}`);
    });

    it('shows a block\'s log lines in `sluice run` as they happen, wherever the block runs', async () => {
      rmSync(path.join(dir, 'go.flag'), { force: true });
      const run = sluiceUntil(dir, ['run', 'chatty'], /chatty: waiting for go\.flag/);
      await run.seen;
      // The block still waits: the line came live, not with the outcome.
      writeFileSync(path.join(dir, 'go.flag'), '');
      const r = await run.done;
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /chatty: waiting for go\.flag[\s\S]*chatty: saw go\.flag[\s\S]*✓ chatty/);
    });

    it('passes a test in either language when it returns no rows', async () => {
      const r = await sluice(dir, ['run', 'checked', '--var', 'bad=false']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /✓ sql_check/);
      assert.match(r.stdout, /✓ ts_check/);
      assert.match(r.stdout, /✓ ts_typed_check/);
    });
  });

  describe(`a failure skips only what depends on it${runMode.label}`, { skip: await skipMode(runMode) }, () => {
    const { dir, cleanup } = tempDir('sluice-branches-');
    // The broken block works while this file exists: a flag every worker sees, as the CLI's environment reaches no worker.
    const fixed = path.join(dir, 'fixed.flag');
    let setup: ModeSetup | undefined;
    after(async () => {
      await setup?.close();
      cleanup();
    });
    before(async () => {
      setup = await setUpMode(runMode, 'branches');
      writeProject(dir, {
        'sluice.yaml': ['name: branches', ...setup.settings, ''].join('\n'),
        'pipelines/forked.yaml': [
          'blocks:',
          '  - { name: source, file: blocks/source.sql }',
          '  - { name: broken, file: blocks/broken.ts, upstream: [source] }',
          '  - { name: after_broken, file: blocks/after_broken.sql, upstream: [broken] }',
          '  - { name: other, file: blocks/other.sql }',
          '  - { name: after_other, file: blocks/after_other.sql, upstream: [other, source] }',
          '',
        ].join('\n'),
        'blocks/source.sql': 'SELECT 1 AS n\n',
        'blocks/broken.ts': `import { existsSync } from 'node:fs';
  import { defineTransformer } from 'sluice';
  export default defineTransformer(async function* () {
    yield [{ n: 1 }];
    if (!existsSync(${JSON.stringify(fixed)})) throw new Error('the partner API went away');
    yield [{ n: 2 }];
  });
  `,
        'blocks/after_broken.sql': 'SELECT * FROM broken\n',
        'blocks/other.sql': 'SELECT 2 AS n\n',
        'blocks/after_other.sql': 'SELECT * FROM other UNION ALL SELECT * FROM source\n',
      });
      await setup.start(dir);
    });

    it('runs the branches that do not depend on the failed block, skips its downstream, and fails the run', async () => {
      const r = await sluice(dir, ['run', 'forked']);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stdout, /✗ broken/);
      assert.match(r.stdout, /✓ other/);
      assert.match(r.stdout, /✓ after_other/);
      const logs = await sluice(dir, ['logs', runId(r.stderr)]);
      assert.match(logs.stdout, /skipped after_broken/);
      assert.match(logs.stdout, /succeeded after_other/);
      const runs = await sluice(dir, ['runs']);
      assert.match(runs.stdout, new RegExp(`${runId(r.stderr + r.stdout)}\\s+forked\\s+failed`));
    });

    it('keeps no output of a failed block, and preview says the latest run failed while showing the last good output', async () => {
      writeFileSync(fixed, '');
      const good = await sluice(dir, ['run', 'forked']);
      rmSync(fixed);
      assert.equal(good.code, 0, good.stdout + good.stderr);
      const goodRun = runId(good.stdout + good.stderr);
      const bad = await sluice(dir, ['run', 'forked']);
      assert.equal(bad.code, 1);
      const badRun = runId(bad.stderr + bad.stdout);
      const outputs = await setup!.outputNames(dir, 'forked', badRun);
      assert.ok(outputs.some((f) => f.startsWith('other')), `the failed run stored the other branches: ${outputs.join(', ')}`);
      assert.deepEqual(outputs.filter((f) => f.startsWith('broken')), [], 'a failed block left an output');
      const preview = await sluice(dir, ['preview', 'forked', 'broken']);
      assert.equal(preview.code, 0, preview.stderr);
      assert.match(preview.stdout, new RegExp(`block 'broken' failed in its latest run ${badRun}: .*the partner API went away`));
      assert.match(preview.stdout, new RegExp(`showing its last good output, from run ${goodRun}`));
      assert.match(preview.stdout, /2 rows/);
    });
  });
}

describe('timeouts under garbage collection', () => {
  const { dir, cleanup } = tempDir('sluice-gc-');
  after(cleanup);
  before(() =>
    writeProject(dir, {
      'sluice.yaml': 'name: gc\n',
      'pipelines/stuck.yaml': ['blocks:', '  - { name: wait, file: blocks/wait.ts, timeout: 5s }', ''].join('\n'),
      // It collects garbage over and over, as a busy process would, and would wait 30 s.
      'blocks/wait.ts': `import { defineLoader } from 'sluice';
export default defineLoader(async () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run under node --expose-gc');
  const until = Date.now() + 30_000;
  while (Date.now() < until) { gc(); await new Promise((r) => setTimeout(r, 100)); }
  return [{ late: true }];
});
`,
    }),
  );

  it('fires a block timeout of 5 s while full collections run', async () => {
    const started = Date.now();
    const r = await sluice(dir, ['run', 'stuck'], { NODE_OPTIONS: '--expose-gc' });
    const seconds = (Date.now() - started) / 1000;
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /block 'wait' ran longer than its timeout of 5(\.0)?s/);
    // The process start counts too; 30 s would mean the timeout never fired.
    assert.ok(seconds < 20, `took ${seconds}s`);
    const run = /Run failed \S+ after ([\d.]+)(m?s)/.exec(r.stderr + r.stdout) ?? assert.fail(r.stderr);
    const runSeconds = Number(run[1]) / (run[2] === 'ms' ? 1000 : 1);
    assert.ok(runSeconds >= 4.5 && runSeconds < 10, `the run took ${runSeconds}s`);
    console.log(`# a 5 s block timeout under forced GC ended the run after ${runSeconds} s (${seconds.toFixed(1)} s with the process start)`);
  });
});
