/**
 * The part of amqplib's promise API the RabbitMQ source and publisher use
 * (the package ships no types of its own).
 */
declare module 'amqplib' {
  import type { EventEmitter } from 'node:events';

  export interface MessageProperties {
    readonly messageId?: string | undefined;
    readonly contentType?: string | undefined;
    readonly contentEncoding?: string | undefined;
    readonly correlationId?: string | undefined;
    readonly timestamp?: number | undefined;
    readonly type?: string | undefined;
    readonly headers?: Record<string, unknown> | undefined;
  }

  export interface Message {
    readonly content: Buffer;
    readonly fields: { readonly deliveryTag: number; readonly redelivered: boolean; readonly exchange: string; readonly routingKey: string };
    readonly properties: MessageProperties;
  }

  export interface PublishOptions extends MessageProperties {
    readonly persistent?: boolean | undefined;
    /** Returned to the publisher (a `return` event on the channel) when no queue takes it. */
    readonly mandatory?: boolean | undefined;
    /** Milliseconds, as a string: the message expires after this long in a queue. */
    readonly expiration?: string | undefined;
  }

  export interface QueueInfo {
    readonly queue: string;
    readonly messageCount: number;
    readonly consumerCount: number;
  }

  export interface ConfirmChannel extends EventEmitter {
    assertQueue(queue: string, options?: { durable?: boolean; arguments?: Record<string, unknown> }): Promise<QueueInfo>;
    checkQueue(queue: string): Promise<QueueInfo>;
    checkExchange(exchange: string): Promise<unknown>;
    assertExchange(exchange: string, type: 'direct' | 'topic' | 'fanout', options?: { durable?: boolean }): Promise<unknown>;
    deleteExchange(exchange: string): Promise<unknown>;
    bindQueue(queue: string, exchange: string, pattern: string): Promise<unknown>;
    deleteQueue(queue: string): Promise<unknown>;
    purgeQueue(queue: string): Promise<unknown>;
    prefetch(count: number, global?: boolean): Promise<unknown>;
    consume(queue: string, onMessage: (message: Message | null) => void, options?: { noAck?: boolean; consumerTag?: string }): Promise<{ consumerTag: string }>;
    cancel(consumerTag: string): Promise<unknown>;
    ack(message: Message, allUpTo?: boolean): void;
    nack(message: Message, allUpTo?: boolean, requeue?: boolean): void;
    publish(exchange: string, routingKey: string, content: Buffer, options?: PublishOptions): boolean;
    sendToQueue(queue: string, content: Buffer, options?: PublishOptions): boolean;
    waitForConfirms(): Promise<void>;
    close(): Promise<void>;
  }

  export interface ChannelModel extends EventEmitter {
    createConfirmChannel(): Promise<ConfirmChannel>;
    close(): Promise<void>;
  }

  export function connect(url: string, options?: { clientProperties?: Record<string, unknown>; heartbeat?: number }): Promise<ChannelModel>;
}
