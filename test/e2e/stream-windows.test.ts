import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { stop } from './cli-helpers.ts';
import { countRows, createStreamWorld, publishToJetStream, publishToRedis, startStream, type StreamWorld } from './stream-fixtures.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';
import { testNatsUrl } from '../../src/testing/prerequisite-checks.ts';

const skip = await requirePrerequisites('postgres', 'nats-jetstream', 'redis');
const heavy = process.env.SLUICE_HEAVY === '1';
const events = heavy ? 40_000 : 2400;
const kills = heavy ? 10 : 3;

const base = Date.UTC(2026, 0, 1);
const windowMs = 10_000;
const delayMs = 3000;
const devices = ['a', 'b', 'c'];

interface Reading {
  readonly id: number;
  readonly device: string;
  readonly ts: number;
  readonly v: number;
}

/**
 * Readings a quarter second apart, each up to 2 s early (out of order, but
 * within the 3 s watermark delay, so never late however the batches fall),
 * and five readings 5 minutes behind in the middle: late for any batch.
 */
function readings(): { all: Reading[]; late: Reading[] } {
  const all: Reading[] = [];
  const late: Reading[] = [];
  for (let i = 0; i < events; i++) {
    all.push({ id: i + 1, device: devices[i % 3]!, ts: base + 60_000 + i * 250 - ((i * 7919) % 2000), v: (i * 31) % 17 });
    if (i === Math.floor(events / 2)) {
      for (let k = 0; k < 5; k++) {
        const reading = { id: events + k + 1, device: devices[k % 3]!, ts: base + 60_000 + i * 250 - 300_000 + k, v: 100 + k };
        late.push(reading);
        all.push(reading);
      }
    }
  }
  return { all, late };
}

/** The window rows, computed here by hand: every window the final watermark has passed, per device. */
function expectedWindows(all: readonly Reading[], late: readonly Reading[]): string[] {
  const lateIds = new Set(late.map((r) => r.id));
  const watermark = Math.max(...all.map((r) => r.ts)) - delayMs;
  const windows = new Map<string, { start: number; device: string; values: number[] }>();
  for (const r of all) {
    if (lateIds.has(r.id)) continue;
    const start = Math.floor(r.ts / windowMs) * windowMs;
    const key = `${start}|${r.device}`;
    if (!windows.has(key)) windows.set(key, { start, device: r.device, values: [] });
    windows.get(key)!.values.push(r.v);
  }
  return [...windows.values()]
    .filter((w) => w.start + windowMs <= watermark)
    .map((w) => line(new Date(w.start), new Date(w.start + windowMs), w.device, w.values.length, w.values.reduce((a, b) => a + b, 0), Math.min(...w.values), Math.max(...w.values)))
    .sort();
}

const line = (start: Date, end: Date, device: string, n: number, total: number, lo: number, hi: number) => `${start.toISOString()} ${end.toISOString()} ${device} n=${n} total=${total} lo=${lo} hi=${hi}`;

const payload = (r: Reading) => JSON.stringify({ id: r.id, device: r.device, ts: new Date(r.ts).toISOString(), v: r.v });

function windowPipeline(source: string, table: string): string {
  return [
    'kind: streaming',
    `source: ${source}`,
    'payload:',
    '  columns: { id: BIGINT NOT NULL, device: VARCHAR, ts: TIMESTAMP, v: BIGINT }',
    'batch_size: 25',
    'batch_wait: 20ms',
    'window:',
    '  type: tumbling',
    '  time: ts',
    '  size: 10s',
    '  watermark_delay: 3s',
    '  group_by: device',
    `  late_table: ${table}_late`,
    '  aggregates: { n: count, total: sum(v), lo: min(v), hi: max(v) }',
    'sinks:',
    `  - { connection: pg, table: ${table} }`,
    '',
  ].join('\n');
}

const brokers = {
  redis: async (name: string, payloads: readonly string[]) => {
    const published = await publishToRedis(name, payloads);
    return { source: `{ type: redis_streams, stream: ${name}, claim_idle: 2s }`, drop: published.drop };
  },
  jetstream: async (name: string, payloads: readonly string[]) => {
    const stream = name.toUpperCase();
    const published = await publishToJetStream(stream, `${name}.events`, payloads);
    return { source: `{ type: nats_jetstream, stream: ${stream}, ack_wait: 2s }`, drop: published.drop };
  },
};

for (const [broker, publish] of Object.entries(brokers)) {
  describe(`tumbling windows over a ${broker} stream`, { skip }, () => {
    let world: StreamWorld;
    const drops: (() => Promise<void>)[] = [];
    before(async () => {
      world = await createStreamWorld(`windows_${broker}`);
    });
    after(async () => {
      for (const drop of drops) await drop();
      await world?.close();
    });

    it(`emits each window exactly once, equal to the hand-computed answer, though the consumer is SIGKILLed ${kills} times`, async () => {
      const name = `windows_${randomBytes(4).toString('hex')}`;
      const { all, late } = readings();
      const expected = expectedWindows(all, late);
      const { source, drop } = await publish(name, all.map(payload));
      drops.push(drop);
      world.pipeline(name, windowPipeline(source, name));

      for (let k = 0; k < kills; k++) {
        const target = Math.floor((expected.length * (k + Math.random())) / (kills + 1));
        const run = startStream(world.dir, name);
        try {
          await waitFor(async () => (await countRows(world, name)) >= target || run.child.exitCode !== null, { what: `${target} window rows before kill ${k + 1}` }).catch((error: Error) => {
            throw new Error(`${error.message}; the consumer said:\n${run.output()}`);
          });
          assert.equal(run.child.exitCode, null, run.output());
        } finally {
          await stop(run.child, 'SIGKILL');
        }
      }
      const last = startStream(world.dir, name);
      try {
        // Every message committed: each is now in a window (open or emitted) or in the late table.
        const committed = async () => Number((await world.query(`SELECT state->'progress'->>'messages' AS n FROM ${world.name}._sluice_sync_state WHERE stream = 'stream:${name}'`).catch(() => []))[0]?.n ?? 0);
        await waitFor(async () => (await committed()) >= all.length, {
          what: `all ${all.length} messages committed`,
          giveUpWhen: () => (last.child.exitCode !== null ? last.output() : undefined),
        }).catch(async (error: Error) => {
          throw new Error(`${error.message}: ${await countRows(world, name)} windows, ${await countRows(world, `${name}_late`)} late; the consumer said:\n${last.output().slice(-2000)}`);
        });
        // A moment more: a window written twice would show as a row too many.
        await new Promise((resolve) => setTimeout(resolve, 500));
      } finally {
        await stop(last.child, 'SIGINT');
      }
      assert.equal(await last.exited, 0, last.output());

      const lateRows = (await world.query(`SELECT id FROM ${world.name}.${name}_late ORDER BY id`)).map((r) => Number(r.id));
      const rows = await world.query(`SELECT window_start, window_end, device, n, total, lo, hi FROM ${world.name}.${name}`);
      const actual = rows.map((r) => line(r.window_start as Date, r.window_end as Date, r.device as string, Number(r.n), Number(r.total), Number(r.lo), Number(r.hi))).sort();
      if (broker === 'redis') {
        // A killed consumer's own pending entries are read before newer ones, so none of them falls behind the
        // watermark: the late table holds exactly the five late readings, and every other reading is in its window once.
        assert.deepEqual(lateRows, late.map((r) => r.id));
        assert.deepEqual(actual, expected);
      } else {
        // JetStream sends a killed consumer's messages again only after ack_wait; newer ones are held for them, but not
        // past one more ack_wait, and on a loaded machine a redelivery can come later and fall behind the watermark
        // (docs/streaming.md). Each reading is still in its window or the late table, once.
        assert.equal(new Set(lateRows).size, lateRows.length, 'a late record written twice');
        for (const r of late) assert.ok(lateRows.includes(r.id), `late reading ${r.id} is not in the late table`);
        assert.deepEqual(actual, expectedWindows(all, all.filter((r) => lateRows.includes(r.id))));
      }
    });
  });
}

describe('hopping windows updated by late events', { skip }, () => {
  let world: StreamWorld;
  const drops: (() => Promise<void>)[] = [];
  before(async () => {
    world = await createStreamWorld('windows_update');
  });
  after(async () => {
    for (const drop of drops) await drop();
    await world?.close();
  });

  it('emits a window again with a late event, upserted by window, until late_retention passes; later events go to the late table', async () => {
    const name = `update_${randomBytes(4).toString('hex')}`;
    const stream = name.toUpperCase();
    const reading = (id: number, seconds: number, v: number) => JSON.stringify({ id, device: 'a', ts: new Date(base + seconds * 1000).toISOString(), v });
    drops.push((await publishToJetStream(stream, `${name}.events`, Array.from({ length: 40 }, (_, i) => reading(i + 1, i, 1)))).drop);
    world.pipeline(
      name,
      [
        'kind: streaming',
        `source: { type: nats_jetstream, stream: ${stream}, ack_wait: 2s }`,
        'payload:',
        '  columns: { id: BIGINT NOT NULL, device: VARCHAR, ts: TIMESTAMP, v: BIGINT }',
        'batch_wait: 20ms',
        'window: { type: hopping, time: ts, size: 20s, hop: 10s, late: update, late_retention: 1m, group_by: device, aggregates: { n: count, total: sum(v) } }',
        'sinks:',
        `  - { connection: pg, table: ${name}, mode: upsert, key: [window_start, device] }`,
        '',
      ].join('\n'),
    );
    const rowsNow = async () => (await world.query(`SELECT window_start, n, total FROM ${world.name}.${name} ORDER BY window_start`)).map((r) => [((r.window_start as Date).getTime() - base) / 1000, Number(r.n), Number(r.total)]);
    const run = startStream(world.dir, name);
    const giveUpWhen = () => (run.child.exitCode !== null ? run.output() : undefined);
    try {
      // The watermark at 39 s has closed the windows ending at 10, 20 and 30 s.
      await waitFor(async () => (await countRows(world, name)) === 3, { what: 'three windows', giveUpWhen });
      assert.deepEqual(await rowsNow(), [[-10, 10, 10], [0, 20, 20], [10, 20, 20]]);
      // A reading at 5 s is late for two emitted windows, within their retention: both are emitted again.
      const publish = async (payloads: string[]) => {
        const { connect } = await import('@nats-io/transport-node');
        const { jetstream } = await import('@nats-io/jetstream');
        const nc = await connect({ servers: testNatsUrl() });
        for (const p of payloads) await jetstream(nc).publish(`${name}.events`, p);
        await nc.close();
      };
      await publish([reading(41, 5, 100), reading(42, 200, 1)]);
      await waitFor(async () => JSON.stringify((await rowsNow())[0]) === JSON.stringify([-10, 11, 110]) && (await countRows(world, name)) === 5, { what: 'the updated windows', giveUpWhen });
      // Now the watermark is at 200 s: the windows around 3 s are past their retention, so this reading is late for good.
      await publish([reading(43, 3, 1000)]);
      await waitFor(async () => (await countRows(world, `${name}__late`)) === 1, { what: 'the late record', giveUpWhen });
    } finally {
      await stop(run.child, 'SIGINT');
    }
    assert.equal(await run.exited, 0, run.output());
    assert.deepEqual(await rowsNow(), [[-10, 11, 110], [0, 21, 120], [10, 20, 20], [20, 20, 20], [30, 10, 10]]);
    const late = await world.query(`SELECT _message_id, _row, id, v FROM ${world.name}.${name}__late`);
    assert.deepEqual(late.map((r) => [Number(r.id), Number(r.v), Number(r._row)]), [[43, 1000, 0]]);
  });
});
