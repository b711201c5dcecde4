import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sluice, startScheduler, stop, writeProject } from './cli-helpers.ts';
import { alertReceiver } from './alert-receiver.ts';
import { createStreamWorld, publishToRedis, type StreamWorld } from './stream-fixtures.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { testPgUrl, testRedisUrl } from '../../src/testing/prerequisite-checks.ts';
import { waitFor } from '../../src/testing/wait-for.ts';
import type { StreamHeartbeat } from '../../src/streaming/index.ts';

const skip = await requirePrerequisites('postgres', 'redis');
const messages = 1000;

describe('streaming pipelines kept running by sluice scheduler', { skip }, () => {
  let world: StreamWorld;
  let hook: Awaited<ReturnType<typeof alertReceiver>>;
  let drop: () => Promise<void> = async () => undefined;
  const key = `supervised_${randomBytes(4).toString('hex')}`;
  before(async () => {
    world = await createStreamWorld('stream_supervised');
    hook = await alertReceiver();
    ({ drop } = await publishToRedis(key, Array.from({ length: messages }, (_, i) => JSON.stringify({ id: i + 1 }))));
    const source = (stream: string) => `source: { type: redis_streams, url: "${testRedisUrl()}", stream: ${stream} }`;
    const missingDatabase = new URL(testPgUrl());
    missingDatabase.pathname = `/${key}_missing`;
    writeProject(world.dir, {
      'connections.yaml': [
        'connections:',
        '  pg:',
        '    connector: postgres',
        `    url: "${testPgUrl()}"`,
        `    schema: ${world.name}`,
        '  gone:',
        '    connector: postgres',
        `    url: "${missingDatabase.href}"`,
        '',
      ].join('\n'),
    });
    world.pipeline('orders', ['kind: streaming', source(key), 'payload: { columns: { id: BIGINT NOT NULL } }', 'sinks:', '  - { connection: pg, table: orders }', ''].join('\n'));
    world.pipeline('broken', [
      'kind: streaming',
      'alerts:',
      '  - on: [failure]',
      `    webhook: "${hook.url}/stream"`,
      source(`${key}_broken`),
      'sinks:',
      '  - { connection: gone, table: events }',
      '',
    ].join('\n'));
    world.pipeline('manual', ['kind: streaming', 'supervise: false', source(`${key}_manual`), 'sinks:', '  - { connection: pg, table: manual }', ''].join('\n'));
  });
  after(async () => {
    await drop();
    await new Promise((resolve) => hook?.server.close(resolve));
    await world?.close();
  });

  it('runs every supervised stream, restarts a failing one with backoff and alerts after three failures in a row', async () => {
    const scheduler = startScheduler(world.dir);
    try {
      await waitFor(async () => Number((await world.query(`SELECT count(*) AS n FROM ${world.name}.orders`).catch(() => [{ n: 0 }]))[0]!.n) >= messages, {
        what: `all ${messages} rows`,
        giveUpWhen: () => (scheduler.child.exitCode !== null ? scheduler.output() : undefined),
      });
      await waitFor(() => hook.received.length > 0, { what: 'the repeated-failure alert', timeout: 30_000 });
      const alert = hook.received[0]!;
      assert.equal(alert.path, '/stream');
      assert.equal(alert.body.pipeline, 'broken');
      assert.deepEqual((alert.body.stream as { failuresInARow: number }).failuresInARow, 3);
      assert.match(scheduler.output(), /stream broken failed \(1 in a row\), restarting in 1 s/);
      assert.match(scheduler.output(), /stream broken failed \(2 in a row\), restarting in 2 s/);
      assert.doesNotMatch(scheduler.output(), /stream manual/, 'supervise: false is left to sluice stream run');

      const status = await sluice(world.dir, ['stream', 'status', '--json']);
      const beats = JSON.parse(status.stdout) as StreamHeartbeat[];
      const orders = beats.find((b) => b.pipeline === 'orders');
      assert.equal(orders?.state, 'running');
      assert.equal(orders?.rows, messages);
      assert.ok(orders?.supervisedBy, 'the status names the supervising process');
      assert.ok((beats.find((b) => b.pipeline === 'broken')?.restarts ?? 0) >= 2);
    } finally {
      await stop(scheduler.child, 'SIGTERM');
    }
    const [row] = await world.query(`SELECT count(*) AS n, count(DISTINCT id) AS k FROM ${world.name}.orders`);
    assert.deepEqual({ rows: Number(row!.n), ids: Number(row!.k) }, { rows: messages, ids: messages });
    const after = JSON.parse((await sluice(world.dir, ['stream', 'status', '--json'])).stdout) as StreamHeartbeat[];
    assert.equal(after.find((b) => b.pipeline === 'orders')?.state, 'stopped', 'SIGTERM stops the stream cleanly');
  });
});
