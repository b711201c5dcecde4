import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sluice, stop, writeProject } from './cli-helpers.ts';
import { createStreamWorld, publishToRedis, startStream, type StreamWorld } from './stream-fixtures.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';

const skip = await requirePrerequisites('postgres', 'redis');

describe('a streaming pipeline with TypeScript and SQL transformers and an upsert sink', { skip }, () => {
  let world: StreamWorld;
  let drop: () => Promise<void> = async () => undefined;
  const name = `shop_${randomBytes(4).toString('hex')}`;
  before(async () => {
    world = await createStreamWorld('stream_transform');
    writeProject(world.dir, {
      // No package.json: transformer files load as ES modules without one, as block files do.
      // Drops every tenth order and adds cents.
      'transforms/cents.ts': 'export default (order: { id: number; amount: number }) => (order.id % 10 === 0 ? null : { ...order, amount_cents: Math.round(order.amount * 100) });\n',
      // Refuses a whole batch holding an order noted 'explode': only that order may be dead-lettered.
      'transforms/check.ts': "export default (orders: { note: string }[]) => { if (orders.some((o) => o.note === 'explode')) throw new Error('an exploding order'); return orders.map((o) => ({ ...o, checked: true })); };\n",
      'transforms/shape.sql': 'SELECT id, amount_cents, upper(note) AS note, checked, version FROM batch\n',
    });
    world.pipeline(
      name,
      [
        'kind: streaming',
        `source: { type: redis_streams, stream: ${name}, claim_idle: 2s }`,
        'payload: { format: json, columns: { id: BIGINT NOT NULL, amount: DOUBLE, note: VARCHAR, version: INTEGER } }',
        'batch_size: 100',
        'max_deliver: 1',
        'transformers:',
        '  - { name: cents, file: transforms/cents.ts }',
        '  - { name: check, file: transforms/check.ts, per: batch }',
        '  - { name: shape, file: transforms/shape.sql }',
        'sinks:',
        `  - { connection: pg, table: orders, mode: upsert, key: id }`,
        '',
      ].join('\n'),
    );
    const first = Array.from({ length: 300 }, (_, i) => ({ id: i + 1, amount: (i + 1) / 4, note: i === 150 ? 'explode' : `order ${i + 1}`, version: 1 }));
    const again = Array.from({ length: 50 }, (_, i) => ({ id: i + 1, amount: 1, note: 'changed', version: 2 }));
    ({ drop } = await publishToRedis(name, [...first, ...again].map((o) => JSON.stringify(o))));
  });
  after(async () => {
    await drop();
    await world?.close();
  });

  it('validates the pipeline and refuses to run it as a batch pipeline', async () => {
    const validated = await sluice(world.dir, ['validate']);
    assert.equal(validated.code, 0, validated.stdout + validated.stderr);
    assert.match(validated.stdout, new RegExp(`✓ ${name}`));
    const ran = await sluice(world.dir, ['run', name]);
    assert.equal(ran.code, 2);
    assert.match(ran.stderr, new RegExp(`'${name}' is a streaming pipeline; run it with 'sluice stream run ${name}'`));
  });

  it('transforms every order, keeps the last version of each, and dead-letters only the one that broke its batch', async () => {
    const run = startStream(world.dir, name);
    const orders = async () => Number((await world.query(`SELECT count(*) AS n FROM ${world.name}.orders WHERE version = 2 OR id > 50`).catch(() => [{ n: 0 }]))[0]!.n);
    // 300 orders, less the 30 tenths and the exploding one; the 50 changed ones, less their 5 tenths, replace theirs.
    await waitFor(async () => (await orders()) === 269, { what: '269 orders at their last version', giveUpWhen: () => (run.child.exitCode !== null ? run.output() : undefined) });
    await stop(run.child, 'SIGINT');
    assert.equal(await run.exited, 0, run.output());
    const rows = await world.query(`SELECT id, amount_cents, note, checked, version FROM ${world.name}.orders ORDER BY id`);
    assert.equal(rows.length, 269);
    assert.ok(rows.every((r) => Number(r.id) % 10 !== 0 && Number(r.id) !== 151 && r.checked === true));
    assert.deepEqual(rows[0], { id: '1', amount_cents: '100', note: 'CHANGED', version: 2, checked: true });
    assert.deepEqual(rows.find((r) => Number(r.id) === 77), { id: '77', amount_cents: '1925', note: 'ORDER 77', version: 1, checked: true });
    const [letter] = await world.query(`SELECT reason, deliveries FROM ${world.name}._sluice_dead_letters WHERE pipeline = '${name}'`);
    assert.match(String(letter!.reason), /an exploding order/);
    assert.equal(Number(letter!.deliveries), 1);
  });
});
