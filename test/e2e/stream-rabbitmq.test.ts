import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import amqp from 'amqplib';
import { assertEachOnceThroughKills, assertPoisonDeadLettered, createStreamWorld, orderPayload, orderPipelineYaml, publishToRabbitMq, type StreamWorld } from './stream-fixtures.ts';
import { testRabbitMqUrl } from '../../src/testing/prerequisite-checks.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('postgres', 'rabbitmq');
const heavy = process.env.SLUICE_HEAVY === '1';
/** Messages published before the consumer is killed and restarted `kills` times. */
const messages = Number(process.env.SLUICE_STREAM_CRASH_MESSAGES ?? (heavy ? 200_000 : 3000));
const kills = heavy ? 10 : 3;

/** Messages left in the queue and its retry queue. */
async function queued(queue: string): Promise<number> {
  const connection = await amqp.connect(testRabbitMqUrl());
  try {
    const channel = await connection.createConfirmChannel();
    const counts = await Promise.all([queue, `${queue}.retry`].map(async (name) => (await channel.checkQueue(name)).messageCount));
    return counts[0]! + counts[1]!;
  } finally {
    await connection.close();
  }
}

describe('a RabbitMQ queue into PostgreSQL', { skip }, () => {
  let world: StreamWorld;
  const drops: (() => Promise<void>)[] = [];
  before(async () => {
    world = await createStreamWorld('stream_rabbitmq');
  });
  after(async () => {
    for (const drop of drops) await drop();
    await world?.close();
  });

  it(`puts every message in the table exactly once though the consumer is SIGKILLed ${kills} times`, async () => {
    const name = `crash_${randomBytes(4).toString('hex')}`;
    const { drop } = await publishToRabbitMq(name, Array.from({ length: messages }, (_, i) => orderPayload(i + 1)), (i) => `order-${i + 1}`);
    drops.push(drop);
    world.pipeline(name, orderPipelineYaml(`{ type: rabbitmq, url: '${testRabbitMqUrl()}', queue: ${name} }`, name));
    await assertEachOnceThroughKills(world, name, messages, kills);
    assert.equal(await queued(name), 0);
  });

  it('dead-letters a poison message among 10,000 on exactly its max_deliver-th delivery, counted through the retry queue, and loads the other 9,999', async () => {
    const name = `poison_${randomBytes(4).toString('hex')}`;
    const total = 10_000;
    const poison = 4321;
    const payloads = Array.from({ length: total }, (_, i) => (i + 1 === poison ? orderPayload(poison, 'lots') : orderPayload(i + 1)));
    // No message-id property: the id comes from the payload's id field.
    const { drop } = await publishToRabbitMq(name, payloads);
    drops.push(drop);
    const letters = `dead_${name}`;
    world.pipeline(name, orderPipelineYaml(`{ type: rabbitmq, url: '${testRabbitMqUrl()}', queue: ${name}, id_field: id }`, name, ['max_deliver: 4', 'retry_delay: 200ms', `dead_letter_table: ${letters}`]));
    await assertPoisonDeadLettered(world, name, letters, { total, poison, maxDeliver: 4, payload: payloads[poison - 1]! });
    assert.equal((await world.query(`SELECT message_id FROM ${world.name}.${letters}`))[0]!.message_id, String(poison));
    assert.equal(await queued(name), 0, 'nothing left behind in the queue or the retry queue');
  });
});
