import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, sluice, sluiceUntil, stop, writeProject } from './cli-helpers.ts';
import { createStreamWorld, publishToRedis, type StreamWorld } from './stream-fixtures.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { testRedisUrl } from '../../src/testing/prerequisite-checks.ts';
import { waitFor } from '../../src/testing/wait-for.ts';

const skip = await requirePrerequisites('postgres', 'redis');
const messages = 3000;

describe('a batch pipeline that waits on a stream lag sensor', { skip }, () => {
  let world: StreamWorld;
  let drop: () => Promise<void> = async () => undefined;
  const key = `streamui_lag_${randomBytes(4).toString('hex')}`;
  before(async () => {
    world = await createStreamWorld('streamui_lag');
    // The messages wait in the broker before the stream starts: its lag begins at all of them.
    ({ drop } = await publishToRedis(key, Array.from({ length: messages }, (_, i) => JSON.stringify({ id: i + 1, amount: i % 7 }))));
    world.pipeline('orders_live', [
      'kind: streaming',
      `source: { type: redis_streams, url: "${testRedisUrl()}", stream: ${key} }`,
      'payload: { columns: { id: BIGINT NOT NULL, amount: DOUBLE } }',
      'batch_size: 100',
      'metrics_interval: 1s',
      'sinks:',
      '  - { connection: pg, table: orders }',
      '',
    ].join('\n'));
    world.pipeline('report', [
      'blocks:',
      '  - name: caught_up',
      '    stream_lag: { pipeline: orders_live, below: 10, max_age: 5s }',
      '    poke_interval: 500ms',
      '    timeout: 2m',
      '  - { name: counted, file: blocks/counted.sql, connection: pg, upstream: [caught_up] }',
      '',
    ].join('\n'));
    world.pipeline('wrong', ['blocks:', '  - { name: waits, stream_lag: { pipeline: report, below: 10 } }', ''].join('\n'));
    writeProject(world.dir, { 'blocks/counted.sql': `SELECT count(*) AS n FROM ${world.name}.orders\n` });
  });
  after(async () => {
    await drop();
    await world?.close();
  });

  it('waits while the stream has not run or lags, and goes on once it has caught up', async () => {
    const run = sluiceUntil(world.dir, ['run', 'report'], /condition not met \(check 2\)/);
    await run.seen;
    const stream = spawn(process.execPath, [path.join(repoRoot, 'bin/sluice.js'), 'stream', 'run', 'orders_live'], { cwd: world.dir, env: { ...process.env, CI: '1', NO_COLOR: '1' }, stdio: 'ignore' });
    try {
      const result = await run.done;
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /✓ caught_up .*condition held at check \d+/);
      const runId = /\b(run_[\w-]+|[0-9a-f]{8}-[\w-]+)\b/.exec(result.stdout)?.[1];
      assert.ok(runId, result.stdout);
      const logs = await sluice(world.dir, ['logs', runId, '--block', 'caught_up']);
      const told = logs.stdout + logs.stderr;
      assert.match(told, /orders_live has recorded no metrics yet/, 'it waited before the stream ran');
      assert.match(told, /orders_live has caught up: \d messages waiting, below 10/);
      const preview = await sluice(world.dir, ['preview', 'report', 'counted']);
      const counted = Number(/\b(\d{4})\b/.exec(preview.stdout)?.[1]);
      assert.ok(counted > messages - 10 && counted <= messages, `the batch pipeline read the stream's table once it had caught up: ${counted} rows\n${preview.stdout}`);
    } finally {
      await stop(stream, 'SIGINT');
    }
    await waitFor(async () => Number((await world.query(`SELECT count(*) AS n FROM ${world.name}.orders`))[0]!.n) === messages, { what: 'every message in the table' });
  });

  it('refuses a stream_lag sensor on a pipeline that is not a streaming one, naming the line', async () => {
    const result = await sluice(world.dir, ['validate']);
    assert.notEqual(result.code, 0);
    assert.match(result.stdout + result.stderr, /pipelines\/wrong\.yaml:2.*waits on the lag of 'report', which is not a streaming pipeline/s);
  });
});
