import type { ColumnTypes, Row } from '../core/data-plane/data-plane.ts';
import { SluiceError } from '../core/errors.ts';
import type { SyncContext, SyncInput } from '../core/connectors/sync-destination.ts';
import type { StreamingFile } from '../core/pipeline/streaming-schema.ts';
import { BatchStager } from './batch-stager.ts';
import { collectBatch } from './collect-batch.ts';
import type { DeadLetter, DeadLetters } from './dead-letters.ts';
import type { PayloadDecoder } from './decode-payload.ts';
import { RecordProblem, storedType } from './record-schema.ts';
import { retryWithBackoff } from './retry-with-backoff.ts';
import { FileSink } from './file-sink.ts';
import { BrokerSink } from './sinks/broker-sink.ts';
import { recordIds } from './sinks/record-ids.ts';
import { StreamSink } from './stream-sink.ts';
import type { StreamMessage, StreamSource } from './stream-source.ts';
import { transformBatch, transformRecord, type StreamTransformer } from './stream-transformers.ts';
import { eventTime, type WindowAggregator, type WindowInput } from './windows/window-aggregator.ts';

export interface StreamRun {
  readonly pipeline: string;
  readonly settings: StreamingFile;
  readonly source: StreamSource;
  readonly decoder: PayloadDecoder;
  readonly transformers: readonly StreamTransformer[];
  readonly sinks: readonly PipelineSink[];
  readonly deadLetters: DeadLetters;
  /** A windowed pipeline's aggregation: the sinks receive the windows' rows. */
  readonly window?: WindowAggregator | undefined;
  /** Where records too late for their window go (a windowed pipeline). */
  readonly late?: StreamSink | undefined;
  /** Its signal is the hard stop: a commit in progress is abandoned (nothing is acked, so nothing is lost). */
  readonly context: SyncContext;
  /** Stops taking messages: the batch in hand is committed and acknowledged, then the run returns. */
  readonly stop: AbortSignal;
  readonly onBatch?: ((batch: BatchReport) => void) | undefined;
}

/** What one micro-batch did. */
export interface BatchReport {
  readonly messages: number;
  /** Rows written to the first sink. */
  readonly rows: number;
  /** Messages every sink had already committed (redelivered after a crash): acknowledged, not written. */
  readonly duplicates: number;
  readonly deadLettered: number;
  /** Failed messages handed back for a later delivery. */
  readonly retried: number;
  /** Failed messages told to their sender (a source with `reject`), neither retried nor dead-lettered. */
  readonly rejected?: number;
  /** Publish time (or the `latency_from` column's event time) to commit, ms, of the batch's oldest and newest message. */
  readonly latencyMs: readonly [number, number] | undefined;
  /** Publish time to commit, ms, of each of the batch's messages whose broker gives a publish time, or with `latency_from`, event time to commit of each committed record (for the latency percentiles). */
  readonly latenciesMs?: readonly number[] | undefined;
  /** Records sent to the late table (a windowed pipeline). */
  readonly late?: number | undefined;
  /** What the first sink has committed in all, after this batch: what hybrid triggers follow. */
  readonly committed?: CommittedTotals | undefined;
}

export interface CommittedTotals {
  readonly records: number;
  readonly messages: number;
  /** Window ranges emitted so far, and the end of the latest (ISO), for a windowed pipeline. */
  readonly windowsClosed?: number | undefined;
  readonly lastWindowEnd?: string | undefined;
}

/** A sink of a pipeline: a table through a connection, rolling files, or a broker. */
export type PipelineSink = StreamSink | FileSink | BrokerSink;

interface Decoded {
  readonly message: StreamMessage;
  readonly rows: Row[];
}

/**
 * Runs a streaming pipeline until `stop`: micro-batches are pulled, decoded
 * and transformed; every sink commits its rows with the batch's message ids
 * in one transaction; only then are the messages acknowledged. A message
 * that fails is handed back with a delay and, on its `max_deliver`-th
 * delivery, dead-lettered; the rest of the batch goes on without it.
 */
export async function runStream(run: StreamRun): Promise<void> {
  const stager = new BatchStager(run.context);
  // A window with idle_timeout hears of each empty wait, to move its watermark on a quiet stream.
  const idleTimeout = run.window?.settings.idle_timeout;
  const idle = { since: Date.now(), from: new Map<StreamSink, number | null>() };
  // A broker that drops the connection is waited for; messages it had handed over stay unacknowledged and come again.
  const read = (): Promise<StreamMessage[]> =>
    retryWithBackoff(`reading ${run.source.description}`, () => collectBatch(run.source, run.settings.batch_size, run.settings.batch_wait, run.stop, idleTimeout !== undefined), run.context.logger, run.stop).catch((error: unknown) => {
      if (run.stop.aborted) return [];
      throw error;
    });
  // The next batch is read while this one commits, so the broker's round trips overlap the sink's. Its messages stay
  // unacknowledged until their own commit; once `stop` is set, the read returns what it has, and that is committed too.
  let next = read();
  try {
    for (;;) {
      const messages = await next;
      next = messages.length || !run.stop.aborted ? read() : Promise.resolve([]);
      if (!messages.length) {
        if (run.stop.aborted) {
          // A clean stop closes the open files, so everything committed is readable.
          for (const sink of run.sinks) if (sink instanceof FileSink) await sink.closeAll(run.context);
          return;
        }
        if (idleTimeout !== undefined && Date.now() - idle.since >= idleTimeout) await advanceIdleWindows(run, idle, stager);
        continue;
      }
      idle.since = Date.now();
      idle.from.clear();
      const report = await processBatch(run, unique(messages), stager);
      await stager.clear();
      run.onBatch?.(report);
    }
  } finally {
    // Left unread when a commit fails for good: its messages were never acknowledged and come again.
    next.catch(() => undefined);
  }
}

async function processBatch(run: StreamRun, messages: readonly StreamMessage[], stager: BatchStager): Promise<BatchReport> {
  const { settings, context } = run;
  const failed: (DeadLetter & { final?: boolean })[] = [];
  const fail = (message: StreamMessage, error: unknown) => failed.push({ message, reason: (error as Error).message });
  // Under discard_row, a record that does not fit the columns is set aside at once: delivering it again cannot make it fit.
  const failDecoding = (message: StreamMessage, error: unknown) =>
    failed.push({ message, reason: (error as Error).message, final: settings.schema_contract === 'discard_row' && error instanceof RecordProblem });

  // A message the broker counts as acknowledged was committed (or dead-lettered): it is a stale copy,
  // delivered again before the ack arrived. Committed ids behind that line are pruned, so both tests are needed.
  const settled = await run.source.settledIds();
  const fresh = messages.filter((m) => !settled(m.id) && !committedEverywhere(run.sinks, m.id));
  const decoded: Decoded[] = [];
  for (const message of fresh) {
    if (message.problem) {
      fail(message, new Error(message.problem));
      continue;
    }
    try {
      const transformed = transformRecord(run.decoder.decode(message.payload), run.transformers);
      const rows = Array.isArray(transformed) ? transformed : await transformed;
      // A record that cannot go into a window fails here, with its message, rather than stopping the batch later.
      for (const row of run.window ? rows : []) {
        const problem = run.window!.problem(row);
        if (problem) throw new Error(problem);
      }
      decoded.push({ message, rows });
    } catch (error) {
      failDecoding(message, error);
    }
  }

  // Sinks that need the same messages share one transformed batch; they differ only after a crash between two sinks' commits.
  // One sink needs exactly the fresh messages.
  const groups = new Map<string, { sinks: PipelineSink[]; items: Decoded[] }>();
  if (run.sinks.length === 1) groups.set('', { sinks: [run.sinks[0]!], items: decoded });
  else for (const sink of run.sinks) {
    const items = decoded.filter((d) => !sink.hasCommitted(d.message.id));
    const key = items.map((d) => d.message.id).join(',');
    const group = groups.get(key);
    if (group) group.sinks.push(sink);
    else groups.set(key, { sinks: [sink], items });
  }
  const staged: { sinks: PipelineSink[]; ids: string[]; rows: Row[]; inputs: WindowInput[] }[] = [];
  // Each record's rows by message go to a window or a broker sink's record ids; a plain table sink needs only the rows.
  const byMessage = run.window !== undefined || run.sinks.some((sink) => sink instanceof BrokerSink);
  for (const { sinks, items } of groups.values()) {
    const { rows, kept } = await batchTransform(items, run.transformers, fail);
    staged.push({ sinks, ids: kept.map((d) => d.message.id), rows, inputs: byMessage ? kept.map((d) => ({ id: d.message.id, rows: d.rows })) : [] });
  }

  // A source whose sender waits for the answer is told of the failures instead: retrying cannot fix a record the sender sent.
  const rejecting = run.source.reject !== undefined;
  const lastDelivery = (f: (typeof failed)[number]) => f.final === true || f.message.deliveries >= settings.max_deliver;
  const letters = rejecting ? [] : failed.filter(lastDelivery);
  const retry = rejecting ? [] : failed.filter((f) => !lastDelivery(f)).map((f) => f.message);
  const lettered = new Set(letters.map((l) => l.message.id));
  if (letters.length) await retryWithBackoff('writing dead letters', () => run.deadLetters.write(letters, stager, context, settled), context.logger, context.signal);
  const late = await writeLateRecords(run, staged, settled, stager);
  let firstRows = 0;
  // Broker sinks publish first, tables and files commit after: a crash between them publishes the messages again
  // (which the broker sink's guarantee covers), never leaves them committed to a table and missing from the broker.
  // A window's rows for a broker sink are stepped from the first table sink's windows as they were before its commit.
  const jobs = staged.flatMap((group) => group.sinks.map((sink) => ({ sink, ...group }))).sort((a, b) => Number(b.sink instanceof BrokerSink) - Number(a.sink instanceof BrokerSink));
  for (const { sink, ids, rows, inputs } of jobs) {
    const kept = lettered.size ? ids.filter((id) => !lettered.has(id)) : ids;
    if (!kept.length) continue;
    let settledNow = settled;
    // The batch was sorted out against this very state; only a state read again after a refused commit needs the test again.
    let reloaded = false;
    const written = await retryWithBackoff(
      `committing to ${sink.label}`,
      async () => {
        if (reloaded && kept.some((id) => sink.hasCommitted(id) || settledNow(id))) throw overtaken(sink);
        if (sink instanceof FileSink) {
          const plain = await plainRows(rows, run, stager);
          return sink.writeRows(plain.rows, plain.types, kept, settledNow, context);
        }
        if (sink instanceof BrokerSink) return writeToBroker(sink, run, rows, inputs, kept, settledNow, stager, staged);
        // Stepped from the sink's own committed windows, inside the retry: a refused commit reads them again.
        const step = run.window?.step(sink.windowState, inputs);
        return sink.write(await stageRows(step ? step.rows : rows, sink, run, stager), kept, settledNow, context, step?.state);
      },
      context.logger,
      context.signal,
      // A refused commit (another process moved the state) or a lost connection: read the committed state again,
      // then the broker's acknowledged line, which covers every id that state pruned.
      async () => {
        reloaded = true;
        await sink.load(context).catch(() => undefined);
        settledNow = await run.source.settledIds().catch(() => settledNow);
      },
    ).catch((error: unknown) => {
      if (!(error instanceof SluiceError && error.code === 'stream.overtaken')) throw error;
      // Unacknowledged, the batch's messages come again and are sorted out against the new state.
      context.logger.warn(error.message);
      return undefined;
    });
    if (written === undefined) return { messages: messages.length, rows: 0, duplicates: 0, deadLettered: 0, retried: 0, latencyMs: undefined };
    if (sink === run.sinks[0]) firstRows = written;
  }
  const retried = new Set(retry.map((m) => m.id));
  if (rejecting && failed.length) {
    for (const f of failed) retried.add(f.message.id);
    await run.source.reject!(failed.map((f) => ({ message: f.message, reason: f.reason })));
  }
  await run.source.ack(messages.filter((m) => !retried.has(m.id)));
  if (retry.length) await run.source.retryLater(retry, settings.retry_delay);
  const now = Date.now();
  const latencies: number[] = [];
  let oldest = Number.NEGATIVE_INFINITY;
  let newest = Number.POSITIVE_INFINITY;
  const measure = (at: number | undefined) => {
    if (at === undefined) return;
    const ms = now - at;
    latencies.push(ms);
    if (ms > oldest) oldest = ms;
    if (ms < newest) newest = ms;
  };
  // From each committed record's event time when the pipeline names its column, else from each message's publish time.
  const from = settings.latency_from;
  if (from === undefined) for (const m of messages) measure(m.publishedAt);
  else for (const d of decoded) if (!retried.has(d.message.id) && !lettered.has(d.message.id)) for (const row of d.rows) measure(eventTime(row[from]));
  return {
    messages: messages.length,
    rows: firstRows,
    duplicates: messages.length - fresh.length,
    deadLettered: letters.length,
    retried: retry.length,
    rejected: rejecting ? failed.length : 0,
    latencyMs: latencies.length ? [oldest, newest] : undefined,
    latenciesMs: latencies,
    late,
    committed: committedTotals(run.sinks[0]!),
  };
}

function committedEverywhere(sinks: readonly PipelineSink[], id: string): boolean {
  for (const sink of sinks) if (!sink.hasCommitted(id)) return false;
  return true;
}

function committedTotals(sink: PipelineSink): CommittedTotals {
  const windows = sink instanceof StreamSink ? sink.windowState : undefined;
  return {
    records: sink.totals.records,
    messages: sink.totals.messages,
    ...(windows ? { windowsClosed: windows.windowsClosed, lastWindowEnd: windows.lastClosedEnd === null ? undefined : new Date(windows.lastClosedEnd).toISOString() } : {}),
  };
}

/**
 * Writes the records too late for their window to the late table, before
 * the sinks commit: upserted by message id and place, so a batch processed
 * again after a crash writes the same rows again, once. Lateness is judged
 * against the first sink's committed windows, the same each time.
 */
async function writeLateRecords(run: StreamRun, staged: readonly { sinks: PipelineSink[]; inputs: WindowInput[] }[], settled: (id: string) => boolean, stager: BatchStager): Promise<number> {
  // A windowed pipeline's windows are kept by its first table sink (its file's schema asks for one).
  const windowed = windowOwner(run);
  const first = staged.find((s) => windowed && s.sinks.includes(windowed));
  if (!run.window || !run.late || !(windowed instanceof StreamSink) || !first?.inputs.length) return 0;
  const { late } = run.window.step(windowed.windowState, first.inputs);
  if (!late.length) return 0;
  const rows = late.map((l) => ({ _message_id: l.messageId, _row: l.index, ...l.row }));
  const types = { _message_id: 'VARCHAR', _row: 'BIGINT', ...typesOf(rows, run.decoder) };
  const ids = [...new Set(late.map((l) => l.messageId))];
  const sink = run.late;
  await retryWithBackoff(
    `writing late records to ${sink.spec.table}`,
    async () => sink.write(sink.destination.loadsCsv ? stager.inline('late', rows, types) : await stager.stage('late', rows, types), ids, settled, run.context),
    run.context.logger,
    run.context.signal,
    () => sink.load(run.context),
  );
  return late.length;
}

/** The table sink whose state row keeps a windowed pipeline's open windows: the first table sink. */
function windowOwner(run: StreamRun): StreamSink | undefined {
  return run.sinks.find((s): s is StreamSink => s instanceof StreamSink);
}

/**
 * Publishes a batch's records to a broker sink. A windowed pipeline's are the
 * windows its records close, stepped from the window owner's committed
 * windows over the records it has not committed yet (its own group's): the
 * same rows the owner's commit emits next.
 */
async function writeToBroker(sink: BrokerSink, run: StreamRun, rows: readonly Row[], inputs: readonly WindowInput[], ids: readonly string[], settled: (id: string) => boolean, stager: BatchStager, staged: readonly { sinks: PipelineSink[]; inputs: WindowInput[] }[]): Promise<number> {
  const owner = run.window ? windowOwner(run) : undefined;
  const source = owner ? run.window!.step(owner.windowState, staged.find((s) => s.sinks.includes(owner))?.inputs ?? []).rows : rows;
  const plain = await plainRows(source, run, stager);
  const kind = run.window ? 'window' : plain.rows === source && !run.transformers.some((t) => t.kind === 'batch') ? 'per_message' : 'batch';
  return sink.writeRows(plain.rows, plain.types, recordIds(plain.rows, kind, inputs), ids, settled);
}

/**
 * A quiet windowed stream (`idle_timeout`): each sink's watermark moves on by
 * the time since the last record, from the greatest event time it had then,
 * and the windows it passes are emitted, committed with the moved state.
 */
async function advanceIdleWindows(run: StreamRun, idle: { readonly since: number; readonly from: Map<StreamSink, number | null> }, stager: BatchStager): Promise<void> {
  const idleFor = Date.now() - idle.since;
  let rows = 0;
  let emitted = false;
  for (const sink of run.sinks) {
    if (!(sink instanceof StreamSink)) continue;
    if (!idle.from.has(sink)) idle.from.set(sink, sink.windowState?.maxEventTime ?? null);
    const from = idle.from.get(sink);
    if (from === null || from === undefined) continue;
    await retryWithBackoff(
      `advancing the idle watermark of ${sink.label}`,
      async () => {
        const step = run.window!.idle(sink.windowState, from + idleFor);
        if (!step) return;
        const settled = await run.source.settledIds();
        const written = await sink.write(await stageRows(step.rows, sink, run, stager), [], settled, run.context, step.state);
        await stager.clear();
        emitted = true;
        if (sink === run.sinks[0]) rows = written;
      },
      run.context.logger,
      run.context.signal,
      () => sink.load(run.context),
    );
  }
  // Reported as a batch of no messages, so a trigger on closed windows hears of them.
  if (emitted) run.onBatch?.({ messages: 0, rows, duplicates: 0, deadLettered: 0, retried: 0, latencyMs: undefined, committed: committedTotals(run.sinks[0]!) });
}

/** Another process running the same pipeline committed some of this batch's messages meanwhile. */
function overtaken(sink: PipelineSink): SluiceError {
  return new SluiceError('stream.overtaken', `another process committed some of this batch's messages to ${sink.label} meanwhile (run one process per streaming pipeline); leaving the batch to come again`, { retryable: false });
}

/** Runs the per-batch transformers; when they throw, each message alone finds the ones that fail. */
async function batchTransform(items: readonly Decoded[], transformers: readonly StreamTransformer[], fail: (message: StreamMessage, error: unknown) => void): Promise<{ rows: Row[]; kept: Decoded[] }> {
  // A loop, not flatMap: this runs over every record of every batch.
  const all: Row[] = [];
  for (const d of items) for (const row of d.rows) all.push(row);
  if (!transformers.some((t) => t.kind === 'batch')) return { rows: all, kept: [...items] };
  try {
    return { rows: await transformBatch(all, transformers), kept: [...items] };
  } catch {
    const kept: Decoded[] = [];
    for (const item of items) {
      try {
        await transformBatch(item.rows, transformers);
        kept.push(item);
      } catch (error) {
        fail(item.message, error);
      }
    }
    return { rows: await transformBatch(kept.flatMap((d) => d.rows), transformers), kept };
  }
}

/** The rows as the sink's input: staged in the data plane, through the SQL transformers, one row per key for an upsert. */
async function stageRows(rows: readonly Row[], sink: StreamSink, run: StreamRun, stager: BatchStager): Promise<SyncInput | undefined> {
  const key = sink.spec.mode === 'upsert' ? sink.spec.key! : undefined;
  const sql = run.transformers.filter((t) => t.kind === 'sql');
  // The last row of a key in the batch wins (the greatest sequence, when the sink has one); a SQL transformer feeding an upsert must not make two rows of one key.
  const input = key ? lastPerKey(rows, key, sink.spec.sequence) : rows;
  if (!input.length) return undefined;
  const types = rowTypes(input, run);
  if (!sql.length && sink.destination.loadsCsv) return stager.inline('batch', input, types);
  let staged = await stager.stage('batch', input, types);
  for (const t of sql) staged = await stager.query('batch', t.sql);
  return staged;
}

/** The types of a batch's rows: a window's rows have its own columns (bounds, groups and aggregates), typed from the records' columns. */
function rowTypes(rows: readonly Row[], run: StreamRun): ColumnTypes {
  return run.window ? run.window.resultTypes(Object.fromEntries(run.decoder.columns().map((c) => [c.name, storedType(c.type)]))) : typesOf(rows, run.decoder);
}

/** The rows as plain values with their types, for a sink that writes them itself: through the SQL transformers when there are some. */
async function plainRows(rows: readonly Row[], run: StreamRun, stager: BatchStager): Promise<{ rows: readonly Row[]; types: ColumnTypes }> {
  const sql = run.transformers.filter((t) => t.kind === 'sql');
  if (!sql.length || !rows.length) return { rows, types: rowTypes(rows, run) };
  let staged = await stager.stage('batch', rows, rowTypes(rows, run));
  for (const t of sql) staged = await stager.query('batch', t.sql);
  return { rows: await run.context.session.query('SELECT * FROM batch'), types: Object.fromEntries(staged.columns.map((c) => [c.name, c.type])) };
}

/** The decoder's types of the columns some row holds (usually the first row tells). */
function typesOf(rows: readonly Row[], decoder: PayloadDecoder): ColumnTypes {
  return Object.fromEntries(decoder.columns().filter((c) => rows.some((row) => Object.hasOwn(row, c.name))).map((c) => [c.name, storedType(c.type)]));
}

function lastPerKey(rows: readonly Row[], key: readonly string[], sequence: string | undefined): Row[] {
  const byKey = new Map<string, Row>();
  for (const row of rows) {
    const id = JSON.stringify(key.map((k) => row[k] ?? null));
    const kept = byKey.get(id);
    if (!kept || sequence === undefined || !isAfter(kept[sequence], row[sequence])) byKey.set(id, row);
  }
  return [...byKey.values()];
}

/** True when sequence value `a` comes after `b` (null comes first), as the destination compares them. */
function isAfter(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined) return false;
  if (b === null || b === undefined) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() > b.getTime();
  return (a as number | bigint | string) > (b as number | bigint | string);
}

/** A message delivered twice into one batch (redelivered while still held) is processed once. */
function unique(messages: readonly StreamMessage[]): readonly StreamMessage[] {
  const ids = new Set<string>();
  for (const m of messages) ids.add(m.id);
  if (ids.size === messages.length) return messages;
  const byId = new Map<string, StreamMessage>();
  for (const m of messages) {
    const seen = byId.get(m.id);
    if (!seen || m.deliveries > seen.deliveries) byId.set(m.id, m);
  }
  return [...byId.values()];
}
