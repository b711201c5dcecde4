import type { ColumnTypes, Row } from '../../core/data-plane/data-plane.ts';
import { describeSink, type BrokerSinkFile } from '../../core/pipeline/streaming-schema.ts';
import { CommittedIds } from '../committed-ids.ts';
import { jsonValue } from '../file-sink.ts';
import type { SinkProgress } from '../stream-sink.ts';
import { encodeRecord } from './encode-record.ts';

/** One record as a broker message: its stable id, its subject (or topic, routing key) and its payload. */
export interface BrokerRecord {
  readonly id: string;
  readonly key: string | undefined;
  readonly payload: Buffer;
}

/** What a sink that keeps state in its broker commits with each batch of records. */
export interface BrokerSinkState {
  readonly committed: unknown;
  readonly progress: SinkProgress;
}

/**
 * What a broker sink asks of a broker. `publish` resolves only once the
 * broker has stored every record (a PubAck, a publisher confirm, a PUBACK,
 * an EXEC), and throws otherwise: the batch is then retried and its source
 * messages stay unacknowledged.
 *
 * A broker that can commit records and the sink's state in one step (Redis:
 * MULTI/EXEC) offers `readState`, and `publish` then commits `state` with
 * the records, refusing (with a retryable error) when `previous` is no
 * longer the stored version: another process wrote meanwhile.
 */
export interface BrokerPublisher {
  readonly description: string;
  readState?(): Promise<{ readonly state: BrokerSinkState; readonly version: string } | undefined>;
  publish(records: readonly BrokerRecord[], state?: { readonly previous: string | undefined; readonly next: BrokerSinkState }): Promise<string | undefined>;
  close(): Promise<void>;
}

/**
 * A streaming sink publishing each record to a broker. The source's messages
 * are acknowledged only after `publish` resolved, so nothing is lost; what a
 * crash between the two repeats depends on the broker (see docs/streaming.md,
 * Guarantees): a broker that keeps the sink's committed ids (Redis) skips
 * them, JetStream drops the copies by their message id within its duplicate
 * window, RabbitMQ and MQTT deliver them again with the same id.
 */
export class BrokerSink {
  readonly label: string;
  private committed = new CommittedIds();
  private progress: SinkProgress = { records: 0, messages: 0, batches: 0 };
  private version: string | undefined;

  constructor(
    readonly pipeline: string,
    readonly spec: BrokerSinkFile,
    private readonly publisher: BrokerPublisher,
  ) {
    this.label = describeSink(spec);
  }

  /** True when the broker keeps this sink's committed ids with its records: then it is effectively-once. */
  get keepsState(): boolean {
    return this.publisher.readState !== undefined;
  }

  /** Reads what the broker says this sink committed (when it keeps state); call before the first write and after a refused one. */
  async load(): Promise<void> {
    const stored = await this.publisher.readState?.();
    this.version = stored?.version;
    this.committed = CommittedIds.fromJSON(stored?.state.committed);
    const p = stored?.state.progress;
    this.progress = { records: p?.records ?? 0, messages: p?.messages ?? 0, batches: p?.batches ?? 0 };
  }

  hasCommitted(id: string): boolean {
    return this.committed.has(id);
  }

  get totals(): SinkProgress {
    return this.progress;
  }

  /**
   * Publishes the rows, record `i` under `recordIds[i]`, and (when the broker
   * keeps state) the batch's message ids with them; resolves once the broker
   * stored them all.
   */
  async writeRows(rows: readonly Row[], types: ColumnTypes, recordIds: readonly string[], ids: readonly string[], settled: (id: string) => boolean): Promise<number> {
    const records = rows.map((row, i): BrokerRecord => ({ id: `${this.pipeline}:${recordIds[i]}`, key: fillKey(this.spec, row), payload: encodeRecord(row, types, this.spec.format) }));
    const progress = { records: this.progress.records + rows.length, messages: this.progress.messages + ids.length, batches: this.progress.batches + 1 };
    if (!this.keepsState) {
      await this.publisher.publish(records);
      this.progress = progress;
      return rows.length;
    }
    const committed = this.committed.clone();
    committed.prune(settled);
    for (const id of ids) committed.add(id);
    this.version = await this.publisher.publish(records, { previous: this.version, next: { committed: committed.toJSON(), progress } });
    this.committed = committed;
    this.progress = progress;
    return rows.length;
  }

  async close(): Promise<void> {
    await this.publisher.close();
  }
}

/** Characters a subject, topic or routing key gives a meaning of its own, per broker: a row's value never adds a level or a wildcard. */
const reserved: Record<BrokerSinkFile['type'], RegExp> = {
  nats_jetstream: /[\s.*>]/g,
  mqtt: /[/+#]/g,
  rabbitmq: /[\s.*#]/g,
  redis_streams: /$^/g,
};

/** The sink's subject, topic or routing key with each `{column}` filled from the row. */
function fillKey(spec: BrokerSinkFile, row: Row): string | undefined {
  const template = spec.type === 'nats_jetstream' ? spec.subject : spec.type === 'mqtt' ? spec.topic : spec.type === 'rabbitmq' ? (spec.routing_key ?? spec.queue) : undefined;
  if (template === undefined || !template.includes('{')) return template;
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, column: string) => {
    const value = row[column];
    const text = value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value, jsonValue) : String(value);
    return text.replace(reserved[spec.type], '_') || '_';
  });
}
