import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { streamSourceSchema } from '../../core/pipeline/streaming-schema.ts';
import { testMqttUrl } from '../../testing/prerequisite-checks.ts';
import { requirePrerequisites } from '../../testing/require-prerequisites.ts';
import { waitFor } from '../../testing/wait-for.ts';
import type { StreamMessage, StreamSource } from '../stream-source.ts';
import { openMqttPublisher } from './mqtt-publisher.ts';
import { openMqttSource, type MqttSettings } from './mqtt-source.ts';

const skip = await requirePrerequisites('mqtt');

describe('the MQTT source', { skip }, () => {
  const name = `sluice_test_${randomBytes(4).toString('hex')}`;
  const topic = `${name}/events`;
  const running = new AbortController().signal;
  const settings = streamSourceSchema.parse({ type: 'mqtt', url: testMqttUrl(), topic, client_id: name, id_field: 'id', session_expiry: '5m' }) as MqttSettings;
  const open = (maxInFlight = 100) => openMqttSource(settings, { pipeline: 'p', maxInFlight });
  const pullAll = async (source: StreamSource, want: number) => {
    const got: StreamMessage[] = [];
    await waitFor(async () => (got.push(...(await source.pull(want - got.length, 50, running))), got.length >= want), { what: `${want} messages` });
    return got;
  };
  const publish = async (payloads: readonly string[]) => {
    const client = await mqtt.connectAsync(testMqttUrl(), { protocolVersion: 5 });
    for (const p of payloads) await client.publishAsync(topic, p, { qos: 1 });
    await client.endAsync();
  };

  after(async () => {
    // A clean start with no expiry ends the session the tests left on the broker.
    const client = await mqtt.connectAsync(testMqttUrl(), { clientId: name, protocolVersion: 5, clean: true, properties: { sessionExpiryInterval: 0 } });
    await client.endAsync();
  });

  it('acknowledges only what the engine acknowledged: the rest comes again after a restart, counted', async () => {
    const first = await open();
    await publish(Array.from({ length: 10 }, (_, i) => JSON.stringify({ id: `e${i + 1}` })));
    const taken = await pullAll(first, 10);
    assert.deepEqual(taken.map((m) => [m.id, m.deliveries]), Array.from({ length: 10 }, (_, i) => [`e${i + 1}`, 1]));
    await first.ack(taken.slice(0, 6));
    assert.equal((await first.settledIds())('e6'), true);
    assert.equal((await first.settledIds())('e7'), false);
    assert.equal(await first.lag(), undefined);
    // Let the PUBACKs reach the broker before the connection goes.
    await sleep(200);
    await first.close();

    // Published while no one is connected: the session keeps it.
    await publish([JSON.stringify({ id: 'e11' })]);
    const second = await open();
    try {
      const again = await pullAll(second, 5);
      assert.deepEqual(again.map((m) => m.id).sort(), ['e10', 'e11', 'e7', 'e8', 'e9']);
      assert.deepEqual(again.filter((m) => m.id !== 'e11').map((m) => m.deliveries), [2, 2, 2, 2], 'redelivered: marked as sent before');
      await sleep(200);
      assert.deepEqual(await second.pull(10, 50, running), [], 'nothing acknowledged comes again');
      await second.ack(again);
    } finally {
      await sleep(200);
      await second.close();
    }
  });

  it('hands a message back after its delay, one delivery more; a payload without the id field is a problem', async () => {
    const source = await open();
    try {
      await publish([JSON.stringify({ id: 'r1' }), 'no id here']);
      const [message, bad] = await pullAll(source, 2);
      assert.deepEqual([message!.id, message!.deliveries], ['r1', 1]);
      assert.match(bad!.problem!, /no field 'id'/);
      await source.ack([bad!]);
      const handedBack = Date.now();
      await source.retryLater([message!], 300);
      const [again] = await pullAll(source, 1);
      assert.ok(Date.now() - handedBack >= 250, 'not before the delay');
      assert.deepEqual([again!.id, again!.deliveries], ['r1', 2]);
      await source.ack([again!]);
    } finally {
      await sleep(200);
      await source.close();
    }
  });

  it('replays a dead letter on the topic with an id of its own', async () => {
    const source = await open();
    try {
      const publisher = await openMqttPublisher(settings);
      await publisher.republish({ original: 'r1', payload: Buffer.from(JSON.stringify({ id: 'r1' })), dedupeKey: 'sluice-replay:p:r1:1' });
      await publisher.close();
      const [replayed] = await pullAll(source, 1);
      assert.equal(replayed!.id, 'sluice-replay:p:r1:1');
      await source.ack([replayed!]);
    } finally {
      await sleep(200);
      await source.close();
    }
    await assert.rejects(openMqttPublisher({ ...settings, topic: `${name}/+` }), /wildcards/);
  });
});
