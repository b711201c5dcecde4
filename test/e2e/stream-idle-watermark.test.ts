import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sluice, stop } from './cli-helpers.ts';
import { countRows, createStreamWorld, publishToRedis, startStream, type StreamWorld } from './stream-fixtures.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';

const skip = await requirePrerequisites('postgres', 'redis');

const base = Date.UTC(2026, 0, 1);

describe('a windowed stream that goes quiet', { skip }, () => {
  let world: StreamWorld;
  const drops: (() => Promise<void>)[] = [];
  before(async () => {
    world = await createStreamWorld('idle_windows');
  });
  after(async () => {
    for (const drop of drops) await drop();
    await world?.close();
  });

  it('emits its last window once idle_timeout has passed, and measures latency from the event-time column', async () => {
    const name = `idle_${randomBytes(4).toString('hex')}`;
    // 25 readings one second apart from 0 s: windows 0-10 and 10-20 close with the records; 20-30 only by idling.
    const payloads = Array.from({ length: 25 }, (_, i) => JSON.stringify({ id: i + 1, ts: new Date(base + i * 1000).toISOString(), v: i }));
    drops.push((await publishToRedis(name, payloads)).drop);
    world.pipeline(
      name,
      [
        'kind: streaming',
        `source: { type: redis_streams, stream: ${name} }`,
        'payload:',
        '  columns: { id: BIGINT NOT NULL, ts: TIMESTAMP, v: BIGINT }',
        'batch_wait: 20ms',
        'metrics_interval: 1s',
        'latency_from: ts',
        'window: { type: tumbling, time: ts, size: 10s, idle_timeout: 1s, aggregates: { n: count, total: sum(v) } }',
        'sinks:',
        `  - { connection: pg, table: ${name} }`,
        '',
      ].join('\n'),
    );
    const windows = async () => (await world.query(`SELECT window_start, n, total FROM ${world.name}.${name} ORDER BY window_start`)).map((r) => [((r.window_start as Date).getTime() - base) / 1000, Number(r.n), Number(r.total)]);
    const run = startStream(world.dir, name);
    const giveUpWhen = () => (run.child.exitCode !== null ? run.output() : undefined);
    try {
      await waitFor(async () => (await countRows(world, name)) >= 2, { what: 'the windows the records closed', giveUpWhen });
      // The watermark (24 s) must move 6 s more: about 6 s of idling after the 1 s idle_timeout.
      await waitFor(async () => (await countRows(world, name)) === 3, { what: 'the last window, by idling', giveUpWhen });
      assert.deepEqual(await windows(), [[0, 10, 45], [10, 10, 145], [20, 5, 110]]);
      // A reading behind the moved watermark is late, not a window emitted twice.
      drops.push((await publishToRedis(name, [JSON.stringify({ id: 26, ts: new Date(base + 25_000).toISOString(), v: 1000 })])).drop);
      await waitFor(async () => (await countRows(world, `${name}__late`)) === 1, { what: 'the late reading', giveUpWhen });
      await new Promise((resolve) => setTimeout(resolve, 1500));
    } finally {
      await stop(run.child, 'SIGINT');
    }
    assert.equal(await run.exited, 0, run.output());
    assert.deepEqual(await windows(), [[0, 10, 45], [10, 10, 145], [20, 5, 110]]);

    // The readings' event times are months old: measured from them, not from the publish a moment ago.
    const metrics = JSON.parse((await sluice(world.dir, ['stream', 'metrics', name, '--json'])).stdout) as { latencyP50Ms?: number; latencyP99Ms?: number }[];
    const measured = metrics.filter((m) => m.latencyP50Ms !== undefined);
    assert.ok(measured.length > 0, JSON.stringify(metrics));
    const sinceBase = Date.now() - base;
    for (const m of measured) assert.ok(m.latencyP50Ms! > sinceBase - 3_600_000 && m.latencyP99Ms! <= sinceBase, JSON.stringify(m));
  });
});
