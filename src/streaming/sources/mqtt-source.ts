import { createHash } from 'node:crypto';
import type { IPublishPacket, MqttClient } from 'mqtt';
import type { StreamSourceSettings } from '../../core/pipeline/streaming-schema.ts';
import { ConnectorError } from '../../core/errors.ts';
import type { StreamMessage, StreamSource, StreamSourceOptions } from '../stream-source.ts';
import { MessageBuffer } from './message-buffer.ts';
import { readPayloadField } from './payload-field.ts';
import { RecentIds } from './recent-ids.ts';

export type MqttSettings = Extract<StreamSourceSettings, { type: 'mqtt' }>;

/** The MQTT 5 user property a replayed dead letter carries: its id, since its payload (and so its id field) is the original's. */
export const replayIdProperty = 'sluice-replay';
/** MQTT's receive maximum is a 16-bit number. */
const maxReceive = 65_535;

interface Held {
  /** The connection the message came on: a PUBACK on a later connection could acknowledge another message. */
  readonly connection: number;
  readonly packetId: number | undefined;
}

type SendPacket = (packet: Record<string, unknown>, cb?: (error?: Error) => void, ...rest: unknown[]) => void;

/**
 * Subscribes to a topic filter with QoS 1 in a persistent session (clean
 * start off, a fixed client id, a session expiry), so the broker keeps
 * queueing for the pipeline while it is away. A message is acknowledged
 * (PUBACK) only after the sink commit: MQTT.js acknowledges as soon as a
 * message is handled and handles one message at a time, so its PUBACKs are
 * held back here and sent when the engine acknowledges. At most
 * `max_in_flight` messages are unacknowledged: it is the session's receive
 * maximum.
 *
 * MQTT has no id that survives a redelivery: a message's id is its payload's
 * `id_field`. It has no delay either: a retried message is kept
 * unacknowledged and handed back after the delay, counted by this process.
 */
export async function openMqttSource(settings: MqttSettings, options: StreamSourceOptions): Promise<StreamSource> {
  const mqtt = await import('mqtt');
  const clientId = settings.client_id ?? `sluice_${options.pipeline}`;
  const description = `MQTT topic ${settings.topic} (client ${clientId})`;
  const acked = new RecentIds(Math.max(10_000, options.maxInFlight * 4));
  /** Deliveries this process saw of each message not yet acknowledged. */
  const counts = new Map<string, number>();
  const held = new Map<string, Held[]>();
  const timers = new Set<NodeJS.Timeout>();
  let connection = 0;
  let buffer = new MessageBuffer();

  const client: MqttClient = mqtt.connect(settings.url, {
    clientId,
    protocolVersion: 5,
    clean: false,
    properties: { sessionExpiryInterval: Math.min(Math.round(settings.session_expiry / 1000), 0xffff_fffe), receiveMaximum: Math.min(options.maxInFlight, maxReceive) },
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
  });
  // Everything below is in place before the connection opens: a session's queued messages come right after CONNACK.
  const internals = client as unknown as { _sendPacket: SendPacket };
  const sendPacket = internals._sendPacket.bind(client);
  internals._sendPacket = (packet, cb, ...rest) => {
    if (packet.cmd !== 'puback') return sendPacket(packet, cb, ...rest);
    cb?.();
  };
  client.on('error', () => undefined);
  client.on('close', () => {
    // Unacknowledged messages come again on the next connection; what was taken from this one is dropped.
    connection++;
    held.clear();
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    const lost = buffer;
    buffer = new MessageBuffer();
    lost.fail(new ConnectorError('stream.source_lost', `${description}: the connection to the broker closed`, { retryable: true }));
  });
  client.on('message', (_topic, payload, packet) => {
    const message = toStreamMessage(payload, packet, settings.id_field, counts);
    if (packet.qos > 0) held.set(message.id, [...(held.get(message.id) ?? []), { connection, packetId: packet.messageId }]);
    buffer.push(message);
  });

  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    const [grant] = await client.subscribeAsync(settings.topic, { qos: 1 });
    if (!grant || grant.qos > 2) throw new Error(`the broker refused the subscription (reason ${grant?.qos ?? 'none'})`);
  } catch (error) {
    await client.endAsync(true).catch(() => undefined);
    throw new ConnectorError('stream.source_unreachable', `cannot open ${description}: ${(error as Error).message}`, { cause: error, retryable: true });
  }

  /** Takes these messages' deliveries on the current connection; those of an earlier one are gone. */
  const take = (messages: readonly StreamMessage[]): [StreamMessage, Held[]][] =>
    messages.flatMap((message) => {
      const deliveries = held.get(message.id)?.filter((h) => h.connection === connection);
      held.delete(message.id);
      return deliveries?.length ? [[message, deliveries] as [StreamMessage, Held[]]] : [];
    });

  return {
    description,
    pull: (max, waitMs, signal) => buffer.pull(max, waitMs, signal),
    async ack(messages) {
      const taken = take(messages);
      for (const [message, deliveries] of taken) {
        counts.delete(message.id);
        if (!client.connected) continue;
        for (const { packetId } of deliveries) if (packetId !== undefined) sendPacket({ cmd: 'puback', messageId: packetId, reasonCode: 0 });
      }
      acked.add(messages.map((m) => m.id));
    },
    async retryLater(messages, delayMs) {
      const at = connection;
      for (const [message, deliveries] of take(messages)) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (at !== connection) return;
          held.set(message.id, [...(held.get(message.id) ?? []), ...deliveries]);
          const n = (counts.get(message.id) ?? message.deliveries) + 1;
          counts.set(message.id, n);
          buffer.push({ ...message, deliveries: n });
        }, delayMs);
        timers.add(timer);
      }
    },
    async settledIds() {
      return (id) => acked.has(id);
    },
    async lag() {
      return undefined;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      // Messages not acknowledged stay in the session: the broker sends them again on the next start.
      await client.endAsync(false).catch(() => client.endAsync(true).catch(() => undefined));
    },
  };
}

/**
 * The message's id (a replay's own, else the payload's id field, else, for a
 * payload without it, a hash of its bytes with the problem noted) and its
 * delivery number as this process counts it: one more than the deliveries it
 * saw, or two for a first sight the broker marks as sent before.
 */
function toStreamMessage(payload: Buffer, packet: IPublishPacket, idField: string, counts: Map<string, number>): StreamMessage {
  const replayId = userProperty(packet, replayIdProperty);
  const fieldId = readPayloadField(payload, idField);
  const id = replayId ?? fieldId ?? `sha256:${createHash('sha256').update(payload).digest('hex')}`;
  const n = (counts.get(id) ?? (packet.dup ? 1 : 0)) + 1;
  counts.set(id, n);
  const problem = replayId === undefined && fieldId === undefined ? `the payload has no field '${idField}' to identify the message` : undefined;
  return { id, payload, deliveries: n, problem };
}

function userProperty(packet: IPublishPacket, name: string): string | undefined {
  const value = packet.properties?.userProperties?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first !== '' ? first : undefined;
}
