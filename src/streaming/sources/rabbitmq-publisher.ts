import { ConnectorError } from '../../core/errors.ts';
import type { StreamPublisher } from '../stream-source.ts';
import type { RabbitMqSettings } from './rabbitmq-source.ts';

/**
 * Publishes replayed messages straight into the pipeline's queue (through
 * the default exchange, whatever the queue is bound to), as persistent
 * messages, each awaited until the broker confirms it. The replay's key is
 * the new message's message-id, so it is a new message to the pipeline, and
 * a replay repeated after a failure makes a second copy with the same id,
 * which the pipeline takes once.
 */
export async function openRabbitMqPublisher(settings: RabbitMqSettings): Promise<StreamPublisher> {
  const amqp = await import('amqplib');
  const description = `RabbitMQ queue ${settings.queue}`;
  let connection;
  try {
    connection = await amqp.connect(settings.url, { clientProperties: { connection_name: 'sluice-dead-letter-replay' } });
  } catch (error) {
    throw new ConnectorError('stream.source_unreachable', `cannot reach RabbitMQ for ${description}: ${(error as Error).message}`, { cause: error, retryable: true });
  }
  connection.on('error', () => undefined);
  const channel = await connection.createConfirmChannel();
  channel.on('error', () => undefined);
  return {
    description,
    async republish({ original, payload, dedupeKey }) {
      try {
        channel.sendToQueue(settings.queue, Buffer.from(payload), { messageId: dedupeKey, persistent: true, headers: { 'x-sluice-replay-of': original } });
        await channel.waitForConfirms();
      } catch (error) {
        throw new ConnectorError('stream.replay_failed', `${description}: publishing message ${original} again failed: ${(error as Error).message}`, { cause: error, retryable: true });
      }
    },
    async close() {
      await connection.close().catch(() => undefined);
    },
  };
}
