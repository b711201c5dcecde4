import { createHash } from 'node:crypto';
import type { ChannelModel, ConfirmChannel, Message } from 'amqplib';
import type { StreamSourceSettings } from '../../core/pipeline/streaming-schema.ts';
import { ConnectorError } from '../../core/errors.ts';
import type { StreamMessage, StreamSource, StreamSourceOptions } from '../stream-source.ts';
import { MessageBuffer } from './message-buffer.ts';
import { readPayloadField } from './payload-field.ts';
import { RecentIds } from './recent-ids.ts';

export type RabbitMqSettings = Extract<StreamSourceSettings, { type: 'rabbitmq' }>;

/** The header a retried copy carries: how many deliveries the message had before this copy. */
export const deliveriesHeader = 'x-sluice-deliveries';
/** RabbitMQ's own prefetch count is a 16-bit number. */
const maxPrefetch = 65_535;

/** One connection and its channel; a lost connection is replaced by a new one on the next pull. */
interface Link {
  readonly connection: ChannelModel;
  readonly channel: ConfirmChannel;
  readonly buffer: MessageBuffer;
  /** Deliveries not yet acknowledged, by message id (a producer may have sent one id twice). */
  readonly held: Map<string, Message[]>;
  open: boolean;
}

/**
 * Consumes a durable RabbitMQ queue with manual acks, `max_in_flight` as the
 * prefetch, so a slow sink stops the broker from sending more. A message is
 * acknowledged after the sink commit; a failing one is published to the
 * retry queue (its per-message TTL is the retry delay, and the queue
 * dead-letters expired messages back to the pipeline's queue) with its
 * delivery count in a header, then acknowledged: RabbitMQ's own
 * `redelivered` flag is a yes/no, so the count travels with the copy.
 *
 * A message's id is its `message-id` property, else the `id_field` of its
 * JSON payload, else a hash of its bytes. None is a position, so which ids
 * the broker will never deliver again is known only for the acks this
 * process saw the broker take (a round trip on the channel after the acks).
 */
export async function openRabbitMqSource(settings: RabbitMqSettings, options: StreamSourceOptions): Promise<StreamSource> {
  const amqp = await import('amqplib');
  const retryQueue = settings.retry_queue ?? `${settings.queue}.retry`;
  const description = `RabbitMQ queue ${settings.queue}`;
  const acked = new RecentIds(Math.max(10_000, options.maxInFlight * 4));
  let link: Link | undefined;

  const connect = async (): Promise<Link> => {
    let connection: ChannelModel;
    try {
      connection = await amqp.connect(settings.url, { clientProperties: { connection_name: `sluice-stream-${options.pipeline}` } });
    } catch (error) {
      throw new ConnectorError('stream.source_unreachable', `cannot reach RabbitMQ for ${description}: ${(error as Error).message}`, { cause: error, retryable: true });
    }
    connection.on('error', () => undefined);
    try {
      const channel = await connection.createConfirmChannel();
      channel.on('error', () => undefined);
      await prepareQueues(channel, settings, retryQueue);
      await channel.prefetch(Math.min(options.maxInFlight, maxPrefetch));
      const current: Link = { connection, channel, buffer: new MessageBuffer(), held: new Map(), open: true };
      const lost = (why: string) => {
        if (!current.open) return;
        current.open = false;
        // The broker puts every unacknowledged delivery back in the queue: they come again on the next connection.
        current.held.clear();
        current.buffer.fail(new ConnectorError('stream.source_lost', `${description}: ${why}`, { retryable: true }));
        if (link === current) link = undefined;
      };
      connection.on('close', () => lost('the connection closed'));
      channel.on('close', () => lost('the channel closed'));
      await channel.consume(settings.queue, (delivery) => {
        if (!delivery) return lost('the broker cancelled the consumer (was the queue deleted?)');
        const message = toStreamMessage(delivery, settings);
        current.held.set(message.id, [...(current.held.get(message.id) ?? []), delivery]);
        current.buffer.push(message);
      });
      return current;
    } catch (error) {
      await connection.close().catch(() => undefined);
      const message = (error as Error).message;
      throw new ConnectorError('stream.source_failed', `cannot open ${description}: ${message}`, { cause: error, retryable: !/NOT_FOUND|PRECONDITION_FAILED|ACCESS_REFUSED/.test(message) });
    }
  };

  /** Takes the deliveries of these messages off the current connection; those of a lost one are gone. */
  const take = (messages: readonly StreamMessage[]): { current: Link; taken: [StreamMessage, Message[]][] } | undefined => {
    const current = link;
    if (!current?.open) return undefined;
    const taken: [StreamMessage, Message[]][] = [];
    for (const message of messages) {
      const deliveries = current.held.get(message.id);
      if (!deliveries) continue;
      current.held.delete(message.id);
      taken.push([message, deliveries]);
    }
    return { current, taken };
  };

  link = await connect();
  return {
    description,
    async pull(max, waitMs, signal) {
      const current = link ?? (link = await connect());
      return current.buffer.pull(max, waitMs, signal);
    },
    async ack(messages) {
      const found = take(messages);
      if (!found?.taken.length) return;
      const { current, taken } = found;
      for (const [, deliveries] of taken) for (const delivery of deliveries) current.channel.ack(delivery);
      // The channel's methods are handled in order: once this answers, the broker has taken the acks.
      const confirmed = await current.channel.checkQueue(settings.queue).then(
        () => true,
        () => false,
      );
      if (confirmed) acked.add(taken.map(([message]) => message.id));
    },
    async retryLater(messages, delayMs) {
      const found = take(messages);
      if (!found?.taken.length) return;
      const { current, taken } = found;
      for (const [message, deliveries] of taken) {
        const delivery = deliveries.at(-1)!;
        current.channel.sendToQueue(retryQueue, delivery.content, { ...copiedProperties(delivery), headers: retryHeaders(delivery, message.deliveries), persistent: true, expiration: String(Math.max(0, Math.round(delayMs))) });
      }
      try {
        await current.channel.waitForConfirms();
      } catch (error) {
        throw new ConnectorError('stream.retry_failed', `${description}: the broker did not take messages into ${retryQueue}: ${(error as Error).message}`, { cause: error, retryable: true });
      }
      // Stored in the retry queue: the originals can go. A crash in between leaves both, and the copy is skipped as committed.
      for (const [, deliveries] of taken) for (const delivery of deliveries) current.channel.ack(delivery);
    },
    async settledIds() {
      return (id) => acked.has(id);
    },
    async lag() {
      const current = link;
      if (!current?.open) return undefined;
      try {
        const [main, retry] = await Promise.all([current.channel.checkQueue(settings.queue), current.channel.checkQueue(retryQueue)]);
        let held = 0;
        for (const deliveries of current.held.values()) held += deliveries.length;
        return main.messageCount + retry.messageCount + held;
      } catch {
        return undefined;
      }
    },
    async close() {
      const current = link;
      link = undefined;
      if (!current) return;
      current.open = false;
      await current.channel.close().catch(() => undefined);
      await current.connection.close().catch(() => undefined);
    },
  };
}

/** Declares (or checks) the pipeline's queue and its binding, and declares the retry queue that feeds back into it. */
async function prepareQueues(channel: ConfirmChannel, settings: RabbitMqSettings, retryQueue: string): Promise<void> {
  if (settings.declare) await channel.assertQueue(settings.queue, { durable: true });
  else await channel.checkQueue(settings.queue);
  if (settings.exchange !== undefined) {
    await channel.checkExchange(settings.exchange);
    await channel.bindQueue(settings.queue, settings.exchange, settings.binding_key ?? '');
  }
  await channel.assertQueue(retryQueue, { durable: true, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': settings.queue } });
}

/**
 * The message's id (the message-id property, the payload's id field, or its
 * bytes' hash) and its delivery number: deliveries before this copy (the
 * retry header), plus this one, plus one when the broker says it delivered
 * this copy before (a quorum queue's `x-delivery-count` says how often).
 */
export function toStreamMessage(delivery: Message, settings: Pick<RabbitMqSettings, 'id_field'>): StreamMessage {
  const { properties, fields, content } = delivery;
  const headers = properties.headers ?? {};
  const id = properties.messageId || (settings.id_field && readPayloadField(content, settings.id_field)) || `sha256:${createHash('sha256').update(content).digest('hex')}`;
  const earlier = Number(headers[deliveriesHeader]) || 0;
  const countedByBroker = Number(headers['x-delivery-count']);
  const requeued = Number.isSafeInteger(countedByBroker) && countedByBroker >= 0 ? countedByBroker : fields.redelivered ? 1 : 0;
  // AMQP timestamps are seconds; many producers put milliseconds there.
  const stamp = properties.timestamp;
  const publishedAt = typeof stamp === 'number' && stamp > 0 ? (stamp > 1e11 ? stamp : stamp * 1000) : undefined;
  return { id, payload: content, deliveries: earlier + requeued + 1, publishedAt };
}

/** The properties a retried copy keeps (user-id would have to match this connection's user, so it is left out). */
function copiedProperties(delivery: Message) {
  const { messageId, contentType, contentEncoding, correlationId, timestamp, type } = delivery.properties;
  return { messageId, contentType, contentEncoding, correlationId, timestamp, type };
}

function retryHeaders(delivery: Message, deliveries: number): Record<string, unknown> {
  const { 'x-delivery-count': _counted, ...headers } = delivery.properties.headers ?? {};
  return { ...headers, [deliveriesHeader]: deliveries };
}
