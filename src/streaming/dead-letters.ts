import type { SyncContext, SyncDestination } from '../core/connectors/sync-destination.ts';
import type { StreamMessage } from './stream-source.ts';
import type { BatchStager } from './batch-stager.ts';
import type { BrokerSink } from './sinks/broker-sink.ts';

/** A message that could not be loaded, and why. */
export interface DeadLetter {
  readonly message: StreamMessage;
  readonly reason: string;
}

const columns = [
  { name: 'pipeline', type: 'VARCHAR' },
  { name: 'message_id', type: 'VARCHAR' },
  { name: 'source', type: 'VARCHAR' },
  { name: 'reason', type: 'VARCHAR' },
  { name: 'payload', type: 'VARCHAR' },
  { name: 'payload_encoding', type: 'VARCHAR' },
  { name: 'deliveries', type: 'BIGINT' },
  { name: 'failed_at', type: 'TIMESTAMP' },
] as const;
/** The dead-letter table's key: one row per message of a pipeline. */
export const deadLetterKey = ['pipeline', 'message_id'];
const key = deadLetterKey;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The dead-letter table, in the pipeline's dead_letter_connection (the first table sink's by default). Rows are upserted
 * by (pipeline, message id), so a dead letter written again after a crash
 * (before the broker heard its ack) stays one row. Its state row counts them.
 *
 * With `dead_letter_publish`, each letter is also published to a broker, as
 * one message holding the table's columns, before the table is written: a
 * crash between the two publishes it again (the broker sink's guarantee), and
 * never leaves a letter in the table that the broker did not get.
 */
export class DeadLetters {
  private ready = false;
  private count = 0;

  constructor(
    private readonly pipeline: string,
    private readonly source: string,
    private readonly table: string,
    private readonly destination: SyncDestination,
    private readonly broker?: BrokerSink | undefined,
  ) {}

  get stream(): string {
    return deadLetterStream(this.table);
  }

  get total(): number {
    return this.count;
  }

  /** `settled` says which message ids the source counts as acknowledged (a broker that keeps the sink's ids prunes them). */
  async write(letters: readonly DeadLetter[], stager: BatchStager, context: SyncContext, settled: (id: string) => boolean = () => false): Promise<void> {
    if (!letters.length) return;
    if (!this.ready) {
      await this.destination.prepare(context);
      if (!(await this.destination.describeTable({ name: this.table }))) await this.destination.createTable({ name: this.table }, columns, key, context);
      const [stored] = await this.destination.readState(this.pipeline, this.stream);
      this.count = Number(stored?.state.count ?? 0);
      this.ready = true;
    }
    const now = new Date();
    const rows = letters.map(({ message, reason }) => ({
      pipeline: this.pipeline,
      message_id: message.id,
      source: this.source,
      reason,
      ...payloadText(message.payload),
      deliveries: message.deliveries,
      failed_at: now,
    }));
    const types = Object.fromEntries(columns.map((c) => [c.name, c.type]));
    if (this.broker) {
      const unpublished = rows.filter((row) => !this.broker!.hasCommitted(row.message_id));
      const ids = unpublished.map((row) => row.message_id);
      await this.broker.writeRows(unpublished, types, ids.map((id) => `dead:${id}`), ids, settled);
    }
    const input = await stager.stage('_sluice_dead_letters', rows, types);
    const count = this.count + letters.length;
    await this.destination.applyBatch({ pipeline: this.pipeline, stream: this.stream, table: { name: this.table }, change: { kind: 'upsert', input, key }, state: { count } }, context);
    this.count = count;
  }
}

/** The state row's stream name that counts a dead-letter table's letters. */
export function deadLetterStream(table: string): string {
  return `dead_letters:${table}`;
}

/** The payload as text when it is UTF-8, else as base64, saying which. */
function payloadText(payload: Uint8Array): { payload: string; payload_encoding: string } {
  try {
    return { payload: utf8.decode(payload), payload_encoding: 'utf-8' };
  } catch {
    return { payload: Buffer.from(payload).toString('base64'), payload_encoding: 'base64' };
  }
}
