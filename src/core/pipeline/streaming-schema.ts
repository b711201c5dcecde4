import { z } from 'zod';
import { alertsSchema } from './alert-schema.ts';
import { durationSchema } from './duration.ts';
import { schemaContracts } from './integration-schema.ts';
import { blockNamePattern, pipelineNamePattern } from './pipeline-schema.ts';

/**
 * A streaming pipeline (`kind: streaming`): a broker source, transformer
 * blocks over each micro-batch, and sinks that commit the rows with the
 * source's message ids in one transaction.
 *
 * ```yaml
 * kind: streaming
 * source: { type: nats_jetstream, stream: ORDERS, subject: orders.> }
 * payload: { format: json, columns: { id: BIGINT NOT NULL, amount: DOUBLE } }
 * transformers:
 *   - { name: stamp, file: transforms/stamp.ts }
 * sinks:
 *   - { connection: analytics, table: public.orders, mode: append }
 * ```
 */

const natsJetStreamSourceSchema = z
  .object({
    type: z.literal('nats_jetstream'),
    /** Server URL, or several separated by commas. */
    url: z.string().min(1).default('nats://127.0.0.1:4222'),
    /** The JetStream stream; it must exist. */
    stream: z.string().min(1),
    /** Only messages on this subject (wildcards allowed); all of the stream's when left out. */
    subject: z.string().min(1).optional(),
    /** The durable consumer's name; `sluice_<pipeline>` when left out. */
    consumer: z.string().regex(/^[A-Za-z0-9_-]+$/, 'a consumer name is letters, digits, _ and -').optional(),
    /** How long the broker waits for an ack before it delivers a message again. */
    ack_wait: durationSchema.default(30_000),
  })
  .strict();

const redisStreamsSourceSchema = z
  .object({
    type: z.literal('redis_streams'),
    url: z.string().min(1).default('redis://127.0.0.1:6379'),
    /** The stream's key. */
    stream: z.string().min(1),
    /** The consumer group; `sluice_<pipeline>` when left out. Created at the stream's start when missing. */
    group: z.string().min(1).optional(),
    /** This process's consumer name in the group; stable across restarts so its pending entries come back to it. */
    consumer: z.string().min(1).default('sluice'),
    /** The entry field that holds the payload. */
    field: z.string().min(1).default('data'),
    /** How long an entry stays pending (unacknowledged) before it is claimed again, from a dead consumer or for a retry. */
    claim_idle: durationSchema.default(30_000),
  })
  .strict();

/** A field of a JSON payload, by name (`device.id` reaches into an object). */
const payloadFieldSchema = z.string().regex(/^[^.\s][^\s]*$/, 'a payload field is a name, or names joined by dots');

const rabbitmqSourceSchema = z
  .object({
    type: z.literal('rabbitmq'),
    url: z.string().min(1).default('amqp://guest:guest@127.0.0.1:5672'),
    /** The queue the pipeline consumes: durable, declared on start unless `declare: false` (then it must exist). */
    queue: z.string().min(1),
    declare: z.boolean().default(true),
    /** An existing exchange to bind the queue to, with `binding_key`. */
    exchange: z.string().min(1).optional(),
    binding_key: z.string().optional(),
    /** Where a failing message waits out its retry delay before it goes back to `queue`; `<queue>.retry` when left out. */
    retry_queue: z.string().min(1).optional(),
    /** The JSON payload field that identifies a message without an AMQP message-id property. */
    id_field: payloadFieldSchema.optional(),
  })
  .strict();

const mqttSourceSchema = z
  .object({
    type: z.literal('mqtt'),
    url: z.string().min(1).default('mqtt://127.0.0.1:1883'),
    /** The topic filter subscribed with QoS 1 (`+` and `#` wildcards allowed). */
    topic: z.string().min(1),
    /** The session's client id, fixed so the broker keeps the session (and its queued messages) across restarts; `sluice_<pipeline>` when left out. */
    client_id: z.string().min(1).max(128).optional(),
    /** The JSON payload field that identifies a message: MQTT carries no message id that survives a redelivery. */
    id_field: payloadFieldSchema,
    /** How long the broker keeps the session while the pipeline is not connected. */
    session_expiry: durationSchema.default(7 * 86_400_000),
  })
  .strict();

/** Records POSTed to `sluice serve` at `/api/ingest/<pipeline>`; the request is answered once its records are committed. */
const httpSourceSchema = z
  .object({
    type: z.literal('http'),
    /** The largest request body taken, in bytes (at most 64 MB); larger ones are refused with 413 before they are read. */
    max_body: z.number().int().positive().max(64 * 1024 * 1024).default(4 * 1024 * 1024),
    /** Requests waiting for their commit, at most; one more is answered 429 with Retry-After. */
    max_requests: z.number().int().positive().default(64),
    /** How long a request waits for its commit before it is answered 503 (its records may still land: retry with the same Idempotency-Key). */
    wait: durationSchema.default(30_000),
    /** How long an Idempotency-Key is remembered, at least: a request repeating one within it lands once. */
    idempotency_window: durationSchema.default(3_600_000),
  })
  .strict();

export const streamSourceSchema = z
  .discriminatedUnion('type', [natsJetStreamSourceSchema, redisStreamsSourceSchema, rabbitmqSourceSchema, mqttSourceSchema, httpSourceSchema])
  .superRefine((source, ctx) => {
    if (source.type === 'rabbitmq' && source.binding_key !== undefined && source.exchange === undefined) ctx.addIssue({ code: 'custom', message: 'binding_key needs an exchange to bind the queue to', path: ['binding_key'] });
  });
export type StreamSourceSettings = z.output<typeof streamSourceSchema>;
export type StreamSourceType = StreamSourceSettings['type'];

export const payloadFormats = ['json', 'csv', 'text'] as const;
export type PayloadFormat = (typeof payloadFormats)[number];

const payloadSchema = z
  .object({
    format: z.enum(payloadFormats).default('json'),
    /**
     * Column name to data-plane type (`BIGINT`, `DOUBLE`, `VARCHAR`, `BOOLEAN`,
     * `TIMESTAMP`, `JSON`), optionally `NOT NULL`. For CSV lines, the fields in
     * order. Left out, the columns are inferred from the first batch (JSON) or
     * one `text` column holds the payload (text).
     */
    columns: z.record(z.string().min(1), z.string().min(1)).optional(),
    /** Fields of a JSON payload that no column declares: `discard` them, or `reject` the message; `discard` under the `evolve` contract, `reject` under the others, when left out. */
    unknown_fields: z.enum(['discard', 'reject']).optional(),
    delimiter: z.string().length(1).default(','),
  })
  .strict()
  .refine((p) => p.format !== 'csv' || p.columns !== undefined, { message: 'a CSV payload needs columns: the fields of each line, in order', path: ['columns'] });

export type PayloadSettings = z.output<typeof payloadSchema>;

const transformerSchema = z
  .object({
    name: z.string().regex(blockNamePattern, 'a block name is letters, digits and _ and starts with a letter or _'),
    /** A `.ts` file (its default export takes a record, or the batch's records with `per: batch`) or a `.sql` file over the table `batch`. */
    file: z.string().min(1),
    /** For a TypeScript transformer: called once per record (default) or once per micro-batch. */
    per: z.enum(['record', 'batch']).default('record'),
  })
  .strict();

export const streamSinkModes = ['append', 'upsert'] as const;

/** The time fields a file sink's path may name, filled from each row's event time (UTC). */
export const fileSinkPathFields = ['date', 'year', 'month', 'day', 'hour'] as const;

/**
 * Rows written to rolling files, partitioned by event time: `out/{date}/part-*.jsonl`.
 * A file is written under a hidden temporary name and renamed to its own when closed.
 */
const fileSinkSchema = z
  .object({
    type: z.literal('file'),
    /** Relative to the project (or absolute); `{date}`, `{year}`, `{month}`, `{day}`, `{hour}` from the event time, and one `*` in the file name for the file's number. */
    path: z
      .string()
      .min(1)
      .refine((p) => (p.split(/[\\/]/).pop()!.match(/\*/g) ?? []).length === 1 && !p.split(/[\\/]/).slice(0, -1).join('/').includes('*'), 'a file sink path has one * in its file name, where each file\'s number goes (out/{date}/part-*.jsonl)')
      .refine((p) => [...p.matchAll(/\{([^}]*)\}/g)].every((m) => (fileSinkPathFields as readonly string[]).includes(m[1]!)), `a file sink path names only {${fileSinkPathFields.join('}, {')}}`),
    /** `jsonl` (a JSON object per line) or `parquet`; from the path's extension when left out. */
    format: z.enum(['jsonl', 'parquet']).optional(),
    /** The column holding each row's event time (a TIMESTAMP, an ISO 8601 text or epoch milliseconds); needed when the path names a time field. */
    event_time: z.string().min(1).optional(),
    /** A file is closed (renamed to its own name) at this many records, this many bytes, or this long after it opened, whichever comes first. */
    roll: z
      .object({
        records: z.number().int().positive().default(100_000),
        bytes: z.number().int().positive().default(64 * 1024 * 1024),
        after: durationSchema.default(300_000),
      })
      .strict()
      .default({ records: 100_000, bytes: 64 * 1024 * 1024, after: 300_000 }),
  })
  .strict()
  .refine((s) => s.event_time !== undefined || !/\{(date|year|month|day|hour)\}/.test(s.path), { message: 'the path names a time field: give event_time, the column whose time partitions the rows', path: ['event_time'] })
  .refine((s) => s.format !== undefined || /\.(jsonl|parquet)$/.test(s.path), { message: 'give format (jsonl or parquet), or end the path in .jsonl or .parquet', path: ['format'] });

const tableSinkSchema = z
  .object({
    /** A connection from connections.yaml whose connector can be a sync destination. */
    connection: z.string().min(1),
    /** `schema.table` or `table`; created on the first batch when missing. */
    table: z.string().min(1),
    mode: z.enum(streamSinkModes).default('append'),
    /** The key an upsert replaces rows by. */
    key: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).transform((k) => (typeof k === 'string' ? [k] : k)).optional(),
    /** For an upsert: the column whose greater value wins, so events arriving out of order leave the newest row of each key. */
    sequence: z.string().min(1).optional(),
  })
  .strict()
  .refine((s) => s.mode !== 'upsert' || s.key !== undefined, { message: 'an upsert sink needs a key: the columns that identify a row', path: ['key'] })
  .refine((s) => s.sequence === undefined || s.mode === 'upsert', { message: 'sequence orders the rows of an upsert sink; an append sink keeps every row', path: ['sequence'] });

/** A table in a connection (no `type`), or `type: file`. */
const sinkSchema = z.union([tableSinkSchema, fileSinkSchema]);

export const streamingFileSchema = z
  .object({
    kind: z.literal('streaming').optional(),
    /** The old spelling of `kind: streaming`; still read, with a warning. */
    type: z.literal('streaming').optional(),
    name: z.string().regex(pipelineNamePattern).optional(),
    description: z.string().optional(),
    alerts: alertsSchema,
    /** `sluice serve` and `sluice scheduler` keep the stream running, restarting it after a failure; false leaves it to `sluice stream run`. */
    supervise: z.boolean().default(true),
    source: streamSourceSchema,
    payload: payloadSchema.default({ format: 'json', delimiter: ',' }),
    /**
     * What a record that does not fit the columns does, as in integration syncs: `evolve` (a new JSON
     * field adds a column), `freeze` (the declared columns hold; a record with another field fails) or
     * `discard_row` (a record that does not fit goes to the dead letters on its first delivery).
     */
    schema_contract: z.enum(schemaContracts).default('evolve'),
    /** A micro-batch closes at this many messages... */
    batch_size: z.number().int().positive().default(1000),
    /** ...or this long after its first message, whichever comes first. */
    batch_wait: durationSchema.default(200),
    /** Messages taken from the broker and not yet acknowledged, at most: a slow sink slows the consumer. */
    max_in_flight: z.number().int().positive().default(5000),
    /** A message that fails to parse, validate or transform is retried until its delivery number reaches this, then dead-lettered. */
    max_deliver: z.number().int().positive().default(5),
    /** How long a failed message waits before its next delivery. */
    retry_delay: durationSchema.default(1000),
    transformers: z.array(transformerSchema).default([]),
    sinks: z.array(sinkSchema).min(1, 'a streaming pipeline needs at least one sink'),
    /** Where messages that cannot be loaded go, in dead_letter_connection. */
    dead_letter_table: z.string().min(1).default('_sluice_dead_letters'),
    /** The connection holding the dead-letter table; the first table sink's when left out (required when every sink is a file). */
    dead_letter_connection: z.string().min(1).optional(),
  })
  .strict()
  .refine((f) => f.schema_contract === 'evolve' || f.payload.format !== 'json' || f.payload.columns !== undefined, {
    message: 'the freeze and discard_row contracts hold records to declared columns: give payload.columns',
    path: ['schema_contract'],
  })
  .refine((f) => f.dead_letter_connection !== undefined || f.sinks.some((s) => !('type' in s)), {
    message: 'no sink is a table for the dead letters: give dead_letter_connection, a connection where the dead-letter table is kept',
    path: ['dead_letter_connection'],
  })
  .refine((f) => f.max_in_flight >= f.batch_size, { message: 'max_in_flight must be at least batch_size', path: ['max_in_flight'] })
  .refine((f) => (f.kind === undefined) !== (f.type === undefined), { message: 'give kind: streaming once (type: is its old spelling)', path: ['kind'] });

export type StreamingFile = z.output<typeof streamingFileSchema>;
export type StreamSinkFile = StreamingFile['sinks'][number];
export type TableSinkFile = Exclude<StreamSinkFile, { type: 'file' }>;
export type FileSinkFile = Extract<StreamSinkFile, { type: 'file' }>;

/** The connection that keeps the pipeline's dead-letter table. */
export function deadLetterConnection(settings: StreamingFile): string {
  return settings.dead_letter_connection ?? settings.sinks.find((s): s is TableSinkFile => !('type' in s))!.connection;
}
export type StreamTransformerFile = StreamingFile['transformers'][number];
