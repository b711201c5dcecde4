import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { queryWarehouse, sluice, sluiceUntil, tempDir, writeProject as writeFiles } from './cli-helpers.ts';
import { runModes, setUpMode, skipMode, type ModeSetup } from './run-modes.ts';

/** A project with the given files and a default sluice.yaml. */
const writeProject = (dir: string, files: Record<string, string>): void => writeFiles(dir, { 'sluice.yaml': 'name: orchestration\n', ...files });

// A loader that makes three rows for the run's logical date, so each date's data is recognisable.
const dailyLoader = `import { defineLoader } from 'sluice';
export default defineLoader((_, ctx) => {
  if (!ctx.logicalDate || !ctx.dataInterval) throw new Error('this block needs a logical date');
  return [1, 2, 3].map((n) => ({ day: ctx.logicalDate, n, from: ctx.dataInterval!.start.slice(0, 10) }));
});
`;

describe('logical dates, backfills and partition replace', () => {
  const { dir, cleanup } = tempDir('sluice-orch-');
  after(cleanup);
  before(() =>
    writeProject(dir, {
      'pipelines/daily.yaml': [
        'blocks:',
        '  - name: events',
        '    file: blocks/events.ts',
        '  - name: land',
        '    connection: warehouse',
        '    upstream: [events]',
        '    settings: { table: events, mode: partition, partition_column: day }',
        '',
      ].join('\n'),
      'blocks/events.ts': dailyLoader,
    }),
  );
  const warehouse = () => path.join(dir, '.sluice/warehouse.duckdb');

  it('runs one run per day of a backfill, with each run seeing its own interval', async () => {
    const r = await sluice(dir, ['run', 'daily', '--backfill', '2025-01-01..2025-01-05', '--parallel', '2']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /5 runs, 2 at a time/);
    assert.match(r.stdout, /Backfill complete: 5 succeeded, 0 already done, 0 failed/);
    const rows = await queryWarehouse(warehouse(), 'SELECT day, count(*)::INTEGER AS n, min("from") AS "from" FROM events GROUP BY day ORDER BY day');
    assert.deepEqual(rows, ['01', '02', '03', '04', '05'].map((d) => ({ day: `2025-01-${d}`, n: 3, from: `2025-01-${d}` })));
  });

  it('resumes a backfill: dates already done are skipped', async () => {
    const r = await sluice(dir, ['run', 'daily', '--backfill', '2025-01-01..2025-01-06']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /1 succeeded, 5 already done/);
    const [count] = await queryWarehouse(warehouse(), 'SELECT count(*)::INTEGER AS n FROM events');
    assert.equal(count!.n, 18);
  });

  it('replaces a date’s rows when that date runs again, never adding them twice', async () => {
    const r = await sluice(dir, ['run', 'daily', '--date', '2025-01-03']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /replaced 2025-01-03\.\.2025-01-04 of events/);
    const rows = await queryWarehouse(warehouse(), "SELECT count(*)::INTEGER AS n FROM events WHERE day = '2025-01-03'");
    assert.equal(rows[0]!.n, 3);
    const [all] = await queryWarehouse(warehouse(), 'SELECT count(*)::INTEGER AS n FROM events');
    assert.equal(all!.n, 18);
  });

  it('refuses a partition write without a logical date', async () => {
    const r = await sluice(dir, ['run', 'daily']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /needs a logical date|replaces one data interval/);
  });

  it('rejects a range in the wrong order or a bad date before running anything (exit 2)', async () => {
    const backwards = await sluice(dir, ['run', 'daily', '--backfill', '2025-02-01..2025-01-01']);
    assert.equal(backwards.code, 2);
    assert.match(backwards.stderr, /ends before it starts/);
    const bad = await sluice(dir, ['run', 'daily', '--backfill', '2025-02-30..2025-03-01']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /'2025-02-30' is not a calendar date/);
    const date = await sluice(dir, ['run', 'daily', '--date', 'yesterday']);
    assert.equal(date.code, 2);
    assert.match(date.stderr, /'yesterday' is not a date/);
  });
});

for (const runMode of runModes()) {
  describe(`retries and timeouts${runMode.label}`, { skip: await skipMode(runMode) }, () => {
    const { dir, cleanup } = tempDir('sluice-retry-');
    let setup: ModeSetup | undefined;
    after(async () => {
      await setup?.close();
      cleanup();
    });
    const counter = path.join(dir, 'attempts.txt');
    // Written by the slow block only if it is let run to its end.
    const finished = path.join(dir, 'slow-finished');
    before(async () => {
      setup = await setUpMode(runMode, 'retry');
      writeProject(dir, {
        'sluice.yaml': ['name: retries', ...setup.settings, ''].join('\n'),
        'pipelines/flaky.yaml': [
          'retries: { count: 3, delay: 50ms, jitter: false }',
          'blocks:',
          '  - name: flaky',
          '    file: blocks/flaky.ts',
          '  - name: broken',
          '    file: blocks/broken.sql',
          '    upstream: [flaky]',
          '',
        ].join('\n'),
        'pipelines/slow.yaml': ['blocks:', '  - name: slow', '    file: blocks/slow.ts', '    timeout: 300ms', '    retries: { count: 1, delay: 10ms }', ''].join('\n'),
        'blocks/flaky.ts': `import { readFileSync, writeFileSync, existsSync } from 'node:fs';
  import { defineLoader } from 'sluice';
  export default defineLoader(() => {
    const file = ${JSON.stringify(counter)};
    const attempt = (existsSync(file) ? Number(readFileSync(file, 'utf8')) : 0) + 1;
    writeFileSync(file, String(attempt));
    if (attempt < 3) throw new Error('the API said 503, attempt ' + attempt);
    return [{ ok: true, attempt }];
  });
  `,
        'blocks/broken.sql': 'SELEC ok FROM flaky\n',
        'blocks/slow.ts': `import { writeFileSync } from 'node:fs';
  import { defineLoader } from 'sluice';
  export default defineLoader(async () => {
    await new Promise((r) => setTimeout(r, 60_000));
    writeFileSync(${JSON.stringify(finished)}, '');
    return [{ late: true }];
  });
  `,
      });
      await setup.start(dir);
    });

    it('retries a failing block per the policy, and does not retry a SQL syntax error', async () => {
      rmSync(counter, { force: true });
      const r = await sluice(dir, ['run', 'flaky']);
      assert.equal(r.code, 1);
      // Only a block run in this process shows its attempts live; a worker's go to the run's logs.
      if (runMode.executor === 'in-process') {
        assert.match(r.stdout, /attempt 1 of 4 failed: .*the API said 503, attempt 1; retrying in 50ms/);
        assert.match(r.stdout, /attempt 2 of 4 failed/);
      }
      assert.match(r.stdout, /✓ flaky .*succeeded on attempt 3/);
      assert.doesNotMatch(r.stdout, /broken.*retrying/);
      assert.match(r.stderr, /blocks\/broken\.sql:1, block 'broken': .*syntax error/);
    });

    it('retries a failed run from its failed block, reusing the outputs of the blocks that succeeded', async () => {
      rmSync(counter, { force: true });
      const failed = await sluice(dir, ['run', 'flaky']);
      assert.equal(failed.code, 1);
      const runId = /Run failed (\S+)/.exec(failed.stderr)![1]!;
      writeFileSync(path.join(dir, 'blocks/broken.sql'), 'SELECT ok, attempt FROM flaky\n');
      const retry = await sluice(dir, ['retry', runId]);
      assert.equal(retry.code, 0, retry.stderr + retry.stdout);
      assert.match(retry.stdout, /changed since run .*: it ran version \w+, the retry uses the current version \w+/);
      assert.match(retry.stdout, /retrying broken; reusing the outputs of flaky/);
      assert.match(retry.stdout, /Retry succeeded/);
      assert.equal(readFileSync(counter, 'utf8'), '3', 'the flaky block did not run again');
      const preview = await sluice(dir, ['preview', 'flaky', 'broken']);
      assert.match(preview.stdout, /1 rows/);
      const again = await sluice(dir, ['retry', /Retry succeeded (\S+?):/.exec(retry.stdout)![1]!]);
      assert.equal(again.code, 2);
      assert.match(again.stderr, /only a failed or cancelled run can be retried/);
    });

    it('fails a block that runs past its timeout, retries it, and says so', async () => {
      const r = await sluice(dir, ['run', 'slow']);
      assert.equal(r.code, 1);
      if (runMode.executor === 'in-process') assert.match(r.stdout, /attempt 1 of 2 failed: .*ran longer than its timeout of 300ms/);
      assert.match(r.stderr, /block 'slow' ran longer than its timeout of 300ms/);
      assert.equal(existsSync(finished), false, 'the run did not wait for the slow block');
    });
  });
}

describe('sensors', () => {
  const { dir, cleanup } = tempDir('sluice-sensor-');
  after(cleanup);
  before(() =>
    writeProject(dir, {
      'pipelines/wait_for_file.yaml': [
        'blocks:',
        '  - { name: arrived, role: sensor, file: blocks/arrived.sql, poke_interval: 100ms, timeout: 10s }',
        '  - { name: load, file: blocks/load.sql, upstream: [arrived] }',
        '',
      ].join('\n'),
      'blocks/arrived.sql': "SELECT file FROM glob('incoming/*.flag')\n",
      'blocks/load.sql': 'SELECT count(*) AS flags FROM arrived\n',
      'pipelines/never.yaml': 'blocks:\n  - { name: partner, role: sensor, file: blocks/partner.ts, poke_interval: 50ms, timeout: 300ms }\n',
      'blocks/partner.ts': "import { defineSensor } from 'sluice';\nexport default defineSensor(() => false);\n",
    }),
  );

  it('waits for its condition, then lets the pipeline go on', async () => {
    // The file arrives only after the first check missed it, however slowly the run starts.
    const running = sluiceUntil(dir, ['run', 'wait_for_file'], /condition not met \(check 1\)/);
    await running.seen;
    mkdirSync(path.join(dir, 'incoming'), { recursive: true });
    writeFileSync(path.join(dir, 'incoming/2025-01-01.flag'), '');
    const r = await running.done;
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /condition not met \(check 1\); checking again in 100ms/);
    assert.match(r.stdout, /✓ arrived .*condition held at check \d+/);
    assert.match(r.stdout, /✓ load/);
  });

  it('fails when the condition does not hold within its timeout', async () => {
    const r = await sluice(dir, ['run', 'never']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /sensor 'partner': its condition did not hold within 300ms/);
  });
});
