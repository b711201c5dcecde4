import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import amqp from 'amqplib';
import { streamSourceSchema } from '../../core/pipeline/streaming-schema.ts';
import { testRabbitMqUrl } from '../../testing/prerequisite-checks.ts';
import { requirePrerequisites } from '../../testing/require-prerequisites.ts';
import { waitFor } from '../../testing/wait-for.ts';
import type { StreamMessage, StreamSource } from '../stream-source.ts';
import { openRabbitMqPublisher } from './rabbitmq-publisher.ts';
import { openRabbitMqSource, type RabbitMqSettings } from './rabbitmq-source.ts';

const skip = await requirePrerequisites('rabbitmq');

describe('the RabbitMQ source', { skip }, () => {
  const queue = `sluice_test_${randomBytes(4).toString('hex')}`;
  const running = new AbortController().signal;
  const settings = (extra: Record<string, unknown> = {}) => streamSourceSchema.parse({ type: 'rabbitmq', url: testRabbitMqUrl(), queue, id_field: 'id', ...extra }) as RabbitMqSettings;
  const open = (maxInFlight: number) => openRabbitMqSource(settings(), { pipeline: 'p', maxInFlight });
  const pullAll = async (source: StreamSource, want: number) => {
    const got: StreamMessage[] = [];
    await waitFor(async () => (got.push(...(await source.pull(want - got.length, 50, running))), got.length >= want), { what: `${want} messages` });
    return got;
  };
  let connection: amqp.ChannelModel;
  let channel: amqp.ConfirmChannel;

  before(async () => {
    connection = await amqp.connect(testRabbitMqUrl());
    channel = await connection.createConfirmChannel();
    await channel.assertQueue(queue, { durable: true });
  });
  after(async () => {
    await channel.deleteQueue(queue).catch(() => undefined);
    await channel.deleteQueue(`${queue}.retry`).catch(() => undefined);
    await connection.close();
  });

  it('takes the id from message-id, else the payload field, else the bytes, and holds no more than the prefetch', async () => {
    channel.sendToQueue(queue, Buffer.from('{"id": 1}'), { messageId: 'm-1', persistent: true });
    for (let i = 2; i <= 60; i++) channel.sendToQueue(queue, Buffer.from(JSON.stringify({ id: i })), { persistent: true });
    channel.sendToQueue(queue, Buffer.from('not json'), { persistent: true });
    await channel.waitForConfirms();
    const source = await open(20);
    try {
      const held = await pullAll(source, 20);
      // The broker stops at the prefetch: waiting longer brings nothing more.
      await sleep(300);
      held.push(...(await source.pull(100, 50, running)));
      assert.equal(held.length, 20);
      assert.equal(await source.lag(), 61);
      assert.equal(held[0]!.id, 'm-1');
      assert.deepEqual(held.slice(1, 4).map((m) => m.id), ['2', '3', '4']);
      assert.ok(held.every((m) => m.deliveries === 1));
      assert.equal((await source.settledIds())('2'), false);
      await source.ack(held);
      assert.equal((await source.settledIds())('2'), true, 'acknowledged, and the broker took the acks');
      const rest: StreamMessage[] = [];
      for (const size of [20, 20, 1]) {
        const got = await pullAll(source, size);
        await source.ack(got);
        rest.push(...got);
      }
      assert.match(rest.at(-1)!.id, /^sha256:[0-9a-f]{64}$/);
      await waitFor(async () => (await source.lag()) === 0, { what: 'an empty queue' });
    } finally {
      await source.close();
    }
  });

  it('hands a message back through the retry queue after its delay, counting each delivery, and again after a lost consumer', async () => {
    channel.sendToQueue(queue, Buffer.from('{"id": "retry-me"}'), { persistent: true });
    await channel.waitForConfirms();
    const source = await open(10);
    try {
      const [first] = await pullAll(source, 1);
      assert.equal(first!.deliveries, 1);
      const handedBack = Date.now();
      await source.retryLater([first!], 300);
      const [again] = await pullAll(source, 1);
      assert.ok(Date.now() - handedBack >= 250, 'not before the delay');
      assert.deepEqual([again!.id, again!.deliveries], ['retry-me', 2]);
    } finally {
      // Closed unacknowledged: the broker delivers it again, marked as redelivered.
      await source.close();
    }
    const next = await open(10);
    try {
      const [third] = await pullAll(next, 1);
      assert.deepEqual([third!.id, third!.deliveries], ['retry-me', 3]);
      await next.ack([third!]);
    } finally {
      await next.close();
    }
  });

  it('replays a dead letter into the queue as a message with a new id', async () => {
    const publisher = await openRabbitMqPublisher(settings());
    try {
      await publisher.republish({ original: 'retry-me', payload: Buffer.from('{"id": "retry-me"}'), dedupeKey: 'sluice-replay:p:retry-me:1' });
    } finally {
      await publisher.close();
    }
    const source = await open(10);
    try {
      const [replayed] = await pullAll(source, 1);
      assert.deepEqual([replayed!.id, replayed!.deliveries], ['sluice-replay:p:retry-me:1', 1]);
      await source.ack([replayed!]);
    } finally {
      await source.close();
    }
  });

  it('refuses a queue that does not exist when told not to declare it', async () => {
    await assert.rejects(openRabbitMqSource(settings({ queue: `${queue}_missing`, declare: false }), { pipeline: 'p', maxInFlight: 10 }), /cannot open RabbitMQ queue .*NOT_FOUND/);
  });
});
