import type { BrokerSinkFile } from '../../core/pipeline/streaming-schema.ts';
import { ConnectorError } from '../../core/errors.ts';
import type { BrokerPublisher } from './broker-sink.ts';

type Settings = Extract<BrokerSinkFile, { type: 'rabbitmq' }>;

/**
 * Publishes records to a RabbitMQ queue (through the default exchange) or an
 * exchange with a routing key: persistent, each with its record id as
 * `message-id`, on a confirm channel, and resolves once the broker confirmed
 * them all. Each is published `mandatory`: one that no queue takes comes back
 * and fails the batch, rather than being confirmed and dropped.
 */
export async function openRabbitMqSink(settings: Settings, pipeline: string): Promise<BrokerPublisher> {
  const amqp = await import('amqplib');
  const description = settings.queue !== undefined ? `RabbitMQ queue ${settings.queue}` : `RabbitMQ exchange ${settings.exchange}`;
  let connection;
  try {
    connection = await amqp.connect(settings.url, { clientProperties: { connection_name: `sluice-sink-${pipeline}` } });
  } catch (error) {
    // The URL holds the password: only the broker's answer is told.
    throw new ConnectorError('stream.sink_unreachable', `cannot reach RabbitMQ for ${description}: ${(error as Error).message}`, { cause: error, retryable: true });
  }
  let broken: Error | undefined;
  connection.on('error', (error: Error) => (broken = error));
  connection.on('close', () => (broken ??= new Error('the connection closed')));
  const channel = await connection.createConfirmChannel();
  channel.on('error', (error: Error) => (broken = error));
  channel.on('close', () => (broken ??= new Error('the channel closed')));
  let returned: string | undefined;
  channel.on('return', (message: { fields: { routingKey: string } }) => (returned ??= message.fields.routingKey));
  try {
    if (settings.queue !== undefined && settings.declare) await channel.assertQueue(settings.queue, { durable: true });
    else if (settings.queue !== undefined) await channel.checkQueue(settings.queue);
    else await channel.checkExchange(settings.exchange!);
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw new ConnectorError('stream.sink_failed', `cannot open ${description}: ${(error as Error).message}`, { cause: error, retryable: true });
  }
  return {
    description,
    async publish(records) {
      if (broken) throw new ConnectorError('stream.sink_failed', `${description}: ${broken.message}`, { cause: broken, retryable: true });
      returned = undefined;
      try {
        for (const r of records) {
          channel.publish(settings.exchange ?? '', r.key ?? '', r.payload, { persistent: true, messageId: r.id, contentType: settings.format === 'json' ? 'application/json' : 'text/csv', mandatory: true });
        }
        await channel.waitForConfirms();
      } catch (error) {
        throw new ConnectorError('stream.sink_failed', `${description}: publishing failed: ${(error as Error).message}`, { cause: error, retryable: true });
      }
      // A returned message is confirmed too: the broker took it and routed it nowhere.
      if (returned !== undefined) throw new ConnectorError('stream.sink_unroutable', `${description}: no queue is bound for routing key '${returned}'; the batch waits until one is`, { retryable: true });
      return undefined;
    },
    async close() {
      await connection.close().catch(() => undefined);
    },
  };
}
