import type { PayloadSettings } from '../core/pipeline/streaming-schema.ts';
import type { IngestEndpoints } from './sources/ingest-endpoints.ts';

/**
 * What the streaming engine asks of a broker. Every source keeps the same
 * promises, so the engine never branches on which broker it reads:
 *
 * - a message's `id` is the same on every delivery, and ids are positions the
 *   source can order (`isSettled` says which ones the broker will never
 *   deliver again, so the committed-id record stays small);
 * - nothing is acknowledged until the engine says so, after the sink commit;
 * - a message handed back with `retryLater` comes again after the delay, with
 *   its delivery number one higher.
 *
 * Kafka fits the same shape (id = partition:offset, ack = offset commit).
 */
export interface StreamMessage {
  /** The message's position in the source, the same on every delivery (JetStream stream sequence, Redis entry id). */
  readonly id: string;
  readonly payload: Uint8Array;
  /** Which delivery this is, counting from 1. */
  readonly deliveries: number;
  /** When the broker accepted the message, ms since the epoch, when it says. */
  readonly publishedAt?: number | undefined;
  /** Why the source itself could not read the message (it goes the way of a payload that does not parse). */
  readonly problem?: string | undefined;
}

export interface StreamSource {
  /** For messages: e.g. `JetStream stream ORDERS (consumer sluice_orders)`. */
  readonly description: string;
  /**
   * Up to `max` messages: waits at most `waitMs` for the first, then returns
   * what has arrived. Never more than the in-flight bound it was opened with.
   */
  pull(max: number, waitMs: number, signal: AbortSignal): Promise<StreamMessage[]>;
  /** Tells the broker these messages are done (committed, dead-lettered, or already committed before). */
  ack(messages: readonly StreamMessage[]): Promise<void>;
  /** Hands messages back for another delivery after at least `delayMs`. */
  retryLater(messages: readonly StreamMessage[], delayMs: number): Promise<void>;
  /**
   * Present when a sender waits for the answer (HTTP ingest): messages that
   * fail to parse, validate or transform are told to the sender with their
   * reason, instead of being delivered again and dead-lettered. Called after
   * the batch's commit, before `ack` of the rest.
   */
  reject?(failures: readonly { readonly message: StreamMessage; readonly reason: string }[]): Promise<void>;
  /** A test for ids the broker will never deliver again (acknowledged and behind every pending one). */
  settledIds(): Promise<(id: string) => boolean>;
  /** Messages waiting in the broker for this pipeline, delivered or not, when the broker can tell. */
  lag(): Promise<number | undefined>;
  close(): Promise<void>;
}

export interface StreamSourceOptions {
  readonly pipeline: string;
  /** Messages delivered and not yet acknowledged, at most. */
  readonly maxInFlight: number;
  /** Where a source fed by HTTP requests registers its endpoint; present only in a process that serves HTTP. */
  readonly ingest?: IngestEndpoints | undefined;
  /**
   * Messages this pipeline's previous process took and left unacknowledged (it was killed) are processed
   * before newer ones, for a pipeline whose results depend on order (windows on event time). A source that
   * reads them back at once always does; one whose broker redelivers them only after a timeout holds newer
   * messages back until they came.
   */
  readonly redeliveriesFirst?: boolean | undefined;
  /** The pipeline's payload settings, for a source that splits a request body into records itself. */
  readonly payload?: PayloadSettings | undefined;
}

/**
 * Puts a message back into a source's broker, for replaying a dead letter.
 * Opened apart from the source: replaying must not join the pipeline's
 * consumer and take its messages.
 */
export interface StreamPublisher {
  /** For messages: e.g. `JetStream stream ORDERS`. */
  readonly description: string;
  /**
   * Publishes the payload as a new message and resolves once the broker
   * accepted (stored) it. `original` is the dead letter's message id, which
   * a broker may use to find where the message was published, and `dedupeKey`
   * names this replay, so a broker that deduplicates keeps one copy when a
   * replay is repeated after a failure.
   */
  republish(message: { readonly original: string; readonly payload: Uint8Array; readonly dedupeKey: string }): Promise<void>;
  close(): Promise<void>;
}
