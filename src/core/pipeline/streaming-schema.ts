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

export const windowTypes = ['tumbling', 'hopping', 'session'] as const;
export const windowAggregateFunctions = ['count', 'sum', 'min', 'max', 'avg'] as const;
/** `count`, or `count(col)`, `sum(col)`, `min(col)`, `max(col)`, `avg(col)`. */
const aggregatePattern = /^(count)$|^(count|sum|min|max|avg)\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)$/;
const columnNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** How a broker sink writes each record: its row as a JSON object (default), or a CSV line of its values in column order. */
export const brokerSinkFormats = ['json', 'csv'] as const;

/** A subject, topic or routing key with `{column}` filled from each row (a broker's reserved characters in the value become `_`). */
const keyTemplateSchema = z.string().min(1).refine((t) => [...t.matchAll(/\{([^}]*)\}/g)].every((m) => columnNamePattern.test(m[1]!)), 'a {placeholder} names a column: letters, digits and _');

const brokerSinkCommon = {
  format: z.enum(brokerSinkFormats).default('json'),
} as const;

/** Records published on a JetStream subject, each with a `Nats-Msg-Id` from its source position, awaited until stored. */
const natsJetStreamSinkSchema = z
  .object({
    type: z.literal('nats_jetstream'),
    url: z.string().min(1).default('nats://127.0.0.1:4222'),
    /** The subject (a stream must capture it); `{column}` is filled from each row. */
    subject: keyTemplateSchema,
    ...brokerSinkCommon,
  })
  .strict();

/** Records appended to a Redis stream with the sink's committed position, in one MULTI/EXEC. */
const redisStreamsSinkSchema = z
  .object({
    type: z.literal('redis_streams'),
    url: z.string().min(1).default('redis://127.0.0.1:6379'),
    /** The stream's key; the sink keeps what it committed under `<stream>:sluice:<pipeline>`. */
    stream: z.string().min(1),
    /** The entry field holding the payload (the record's id goes in `id`). */
    field: z.string().min(1).default('data'),
    /** Trims the stream to about this many entries as it appends (XADD MAXLEN ~); no trimming when left out. */
    max_len: z.number().int().positive().optional(),
    ...brokerSinkCommon,
  })
  .strict()
  .refine((s) => s.field !== 'id', { message: "the entry field 'id' holds the record's id: give the payload another field", path: ['field'] });

/** Records published to a RabbitMQ queue, or an exchange with a routing key, persistent and confirmed. */
const rabbitmqSinkSchema = z
  .object({
    type: z.literal('rabbitmq'),
    url: z.string().min(1).default('amqp://guest:guest@127.0.0.1:5672'),
    /** A queue to publish to (through the default exchange); declared durable on start unless `declare: false`. */
    queue: z.string().min(1).optional(),
    declare: z.boolean().default(true),
    /** Or an existing exchange, with `routing_key` (`{column}` filled from each row). */
    exchange: z.string().min(1).optional(),
    routing_key: keyTemplateSchema.optional(),
    ...brokerSinkCommon,
  })
  .strict()
  .refine((s) => (s.queue === undefined) !== (s.exchange === undefined), { message: 'give a queue, or an exchange (with routing_key), to publish to', path: ['queue'] })
  .refine((s) => s.routing_key === undefined || s.exchange !== undefined, { message: 'routing_key is for an exchange; a queue is published to by its name', path: ['routing_key'] });

/** Records published on an MQTT topic with QoS 1, each awaited until the broker's PUBACK. */
const mqttSinkSchema = z
  .object({
    type: z.literal('mqtt'),
    url: z.string().min(1).default('mqtt://127.0.0.1:1883'),
    /** The topic (no wildcards); `{column}` is filled from each row. */
    topic: keyTemplateSchema.refine((t) => !/[+#]/.test(t), 'a sink publishes on a topic, not a filter: no + or #'),
    ...brokerSinkCommon,
  })
  .strict();

/** The brokers a sink can publish to. */
const brokerSinkSchema = z.union([natsJetStreamSinkSchema, redisStreamsSinkSchema, rabbitmqSinkSchema, mqttSinkSchema]);
export type BrokerSinkFile = z.output<typeof brokerSinkSchema>;
export type BrokerSinkType = BrokerSinkFile['type'];

/** Column names a window's result row always has. */
export const windowBoundColumns = ['window_start', 'window_end'] as const;

/** One aggregate of a window's result: the function and the column it reads (none for `count`). */
export interface WindowAggregate {
  readonly name: string;
  readonly fn: (typeof windowAggregateFunctions)[number];
  readonly column: string | undefined;
}

/**
 * Windowed aggregation on event time: the sinks receive one row per window
 * and group, emitted when the watermark (the greatest event time seen minus
 * `watermark_delay`) passes the window's end plus `allowed_lateness`.
 */
const windowSchema = z
  .object({
    type: z.enum(windowTypes),
    /** The records' event-time column (TIMESTAMP, an ISO 8601 string or epoch milliseconds). */
    time: z.string().regex(columnNamePattern, 'a column name is letters, digits and _'),
    /** Tumbling and hopping: each window's length. */
    size: durationSchema.optional(),
    /** Hopping: a new window starts this often (at most size). */
    hop: durationSchema.optional(),
    /** Session: a session closes after this long without an event of its group. */
    gap: durationSchema.optional(),
    /** The watermark trails the greatest event time seen by this much: events up to this late still count. */
    watermark_delay: durationSchema.default(0),
    /** A window stays open this long past its end (by the watermark) before its row is emitted. */
    allowed_lateness: durationSchema.default(0),
    /** An event for a window already emitted: written to the late table, or added to the window and its row emitted again (upsert sinks). */
    late: z.enum(['side_table', 'update']).default('side_table'),
    /** Where late events go; `<pipeline>__late` in the first sink's connection when left out. */
    late_table: z.string().min(1).optional(),
    /** With `late: update`: how long (by the watermark, past the window's emission) an emitted window can still be updated; later events go to the late table. */
    late_retention: durationSchema.default(86_400_000),
    /**
     * After this long without a record, the watermark moves on by processing time (as much as the idle
     * time so far, from the greatest event time seen), so the last windows emit on a quiet stream.
     * Left out, the watermark moves only with records.
     */
    idle_timeout: durationSchema.refine((ms) => ms > 0, 'idle_timeout is greater than 0').optional(),
    /** The columns each window is grouped by. */
    group_by: z.union([z.string(), z.array(z.string())]).transform((g) => (typeof g === 'string' ? [g] : g)).pipe(z.array(z.string().regex(columnNamePattern, 'a column name is letters, digits and _'))).default([]),
    /** Result column name to aggregate: `count`, `count(col)`, `sum(col)`, `min(col)`, `max(col)`, `avg(col)`. */
    aggregates: z.record(z.string().regex(columnNamePattern, 'a result column name is letters, digits and _'), z.string().regex(aggregatePattern, 'an aggregate is count, or count(col), sum(col), min(col), max(col), avg(col)')).refine((a) => Object.keys(a).length > 0, 'a window needs at least one aggregate'),
  })
  .strict()
  .superRefine((w, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', message, path: [path] });
    if (w.type === 'session') {
      if (w.gap === undefined || w.gap <= 0) issue('gap', 'a session window needs a gap greater than 0: how long without an event closes a session');
      if (w.size !== undefined) issue('size', 'a session window has no size (its gap decides where it ends)');
      if (w.hop !== undefined) issue('hop', 'hop is for hopping windows');
      if (w.late === 'update') issue('late', 'late: update is for tumbling and hopping windows; a late event can join two emitted sessions, so session windows send late events to the late table');
    } else {
      if (w.size === undefined || w.size <= 0) issue('size', `a ${w.type} window needs a size greater than 0`);
      if (w.gap !== undefined) issue('gap', 'gap is for session windows');
      if (w.type === 'tumbling' && w.hop !== undefined) issue('hop', 'a tumbling window has no hop (use type: hopping)');
      if (w.type === 'hopping') {
        if (w.hop === undefined || w.hop <= 0) issue('hop', 'a hopping window needs a hop greater than 0: how often a window starts');
        else if (w.size !== undefined && w.hop > w.size) issue('hop', 'hop must be at most size (a larger hop leaves events in no window)');
      }
    }
    const names = new Set<string>([...windowBoundColumns]);
    for (const column of w.group_by) {
      if (names.has(column)) issue('group_by', `column ${column} is given twice or is a window bound column`);
      names.add(column);
      if (column === w.time) issue('group_by', `the event-time column ${column} cannot be a group column`);
    }
    for (const name of Object.keys(w.aggregates)) {
      if (names.has(name)) issue('aggregates', `result column ${name} is also a group column or a window bound column`);
      names.add(name);
    }
  });

export type WindowSettings = z.output<typeof windowSchema>;

/** The aggregates of a window's settings, parsed. */
export function windowAggregates(window: WindowSettings): WindowAggregate[] {
  return Object.entries(window.aggregates).map(([name, text]) => {
    const match = aggregatePattern.exec(text.trim())!;
    return match[1] ? { name, fn: 'count' as const, column: undefined } : { name, fn: match[2] as WindowAggregate['fn'], column: match[3] };
  });
}

/** The key an upsert sink of window results is keyed by. */
export function windowKey(window: WindowSettings): string[] {
  return ['window_start', ...window.group_by];
}
/** A table in a connection (no `type`), `type: file`, or a broker (`type: nats_jetstream`, `redis_streams`, `rabbitmq`, `mqtt`). */
const sinkSchema = z.union([tableSinkSchema, fileSinkSchema, brokerSinkSchema]);

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
    /**
     * A column of the records (after the TypeScript transformers) holding their event time: the latency
     * percentiles measure from it to the commit. Left out, from the broker's publish time.
     */
    latency_from: z.string().regex(columnNamePattern, 'a column name is letters, digits and _').optional(),
    /** How often the stream records its metrics (rows/s, latency percentiles, lag, dead letters) in the metadata store. */
    metrics_interval: durationSchema.default(10_000).refine((ms) => ms >= 1000, 'metrics_interval is at least 1s'),
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
    /** Aggregates the records into event-time windows; the sinks receive the windows' rows. */
    window: windowSchema.optional(),
    sinks: z.array(sinkSchema).min(1, 'a streaming pipeline needs at least one sink'),
    /** Where messages that cannot be loaded go, in dead_letter_connection. */
    dead_letter_table: z.string().min(1).default('_sluice_dead_letters'),
    /** The connection holding the dead-letter table; the first table sink's when left out (required when every sink is a file). */
    dead_letter_connection: z.string().min(1).optional(),
    /** Also publishes each dead letter to a broker (a subject, stream, queue or topic), before its row is written to the table. */
    dead_letter_publish: brokerSinkSchema.optional(),
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
  // A Redis stream sink keeps its committed ids under the stream's name and the pipeline's: two sinks of one pipeline on one stream would share them.
  .refine((f) => f.dead_letter_publish?.type !== 'redis_streams' || !f.sinks.some((s) => 'type' in s && s.type === 'redis_streams' && s.stream === (f.dead_letter_publish as { stream: string }).stream), {
    message: 'dead_letter_publish names the Redis stream a sink already writes to: give the dead letters a stream of their own',
    path: ['dead_letter_publish', 'stream'],
  })
  .refine((f) => (f.kind === undefined) !== (f.type === undefined), { message: 'give kind: streaming once (type: is its old spelling)', path: ['kind'] })
  .superRefine((f, ctx) => {
    if (!f.window) return;
    const key = windowKey(f.window);
    // The open windows are kept in a table sink's state row, committed with its rows: a broker sink publishes what the first table sink's windows emit.
    if (!f.sinks.some((s) => !('type' in s))) ctx.addIssue({ code: 'custom', message: 'a windowed pipeline needs a table sink: its open windows are kept in the table sink\'s state', path: ['sinks'] });
    f.sinks.forEach((sink, index) => {
      if ('type' in sink) {
        if (sink.type === 'file') ctx.addIssue({ code: 'custom', message: 'window results go into tables and brokers: a file sink takes records, not windows', path: ['sinks', index, 'type'] });
        // Windows that a quiet stream closes are committed by the table sink alone, with no batch a broker sink could publish them from.
        else if (f.window!.idle_timeout !== undefined) ctx.addIssue({ code: 'custom', message: 'window.idle_timeout closes windows without a batch, and a broker sink publishes windows only from batches: leave out idle_timeout or the broker sink', path: ['sinks', index, 'type'] });
        return;
      }
      if (sink.mode === 'upsert' && (sink.key!.length !== key.length || !key.every((k) => sink.key!.includes(k)))) {
        ctx.addIssue({ code: 'custom', message: `an upsert sink of window results is keyed by the window: key: [${key.join(', ')}]`, path: ['sinks', index, 'key'] });
      }
      if (f.window!.late === 'update' && sink.mode !== 'upsert') {
        ctx.addIssue({ code: 'custom', message: `with late: update a window's row is emitted again, so each sink must be mode: upsert with key: [${key.join(', ')}]`, path: ['sinks', index, 'mode'] });
      }
      if (sink.sequence !== undefined) ctx.addIssue({ code: 'custom', message: 'a sink of window results takes no sequence: a window emitted again always replaces its row', path: ['sinks', index, 'sequence'] });
    });
  });

export type StreamingFile = z.output<typeof streamingFileSchema>;
export type StreamSinkFile = StreamingFile['sinks'][number];
export type TableSinkFile = Exclude<StreamSinkFile, { type: string }>;
export type FileSinkFile = Extract<StreamSinkFile, { type: 'file' }>;

/** A sink for messages: `pg public.orders`, `files out/part-*.jsonl`, `JetStream subject orders.{region}`. */
export function describeSink(sink: StreamSinkFile): string {
  if (!('type' in sink)) return `${sink.connection} ${sink.table}`;
  switch (sink.type) {
    case 'file':
      return `files ${sink.path}`;
    case 'nats_jetstream':
      return `JetStream subject ${sink.subject}`;
    case 'redis_streams':
      return `Redis stream ${sink.stream}`;
    case 'rabbitmq':
      return sink.queue !== undefined ? `RabbitMQ queue ${sink.queue}` : `RabbitMQ exchange ${sink.exchange}${sink.routing_key !== undefined ? ` (${sink.routing_key})` : ''}`;
    case 'mqtt':
      return `MQTT topic ${sink.topic}`;
  }
}

/** The connection that keeps the pipeline's dead-letter table. */
export function deadLetterConnection(settings: StreamingFile): string {
  return settings.dead_letter_connection ?? firstTableSink(settings).connection;
}

/** The first sink that is a table (the schema asks for one unless every sink is a file and a dead-letter connection is given). */
export function firstTableSink(settings: StreamingFile): TableSinkFile {
  return settings.sinks.find((s): s is TableSinkFile => !('type' in s))!;
}
export type StreamTransformerFile = StreamingFile['transformers'][number];
