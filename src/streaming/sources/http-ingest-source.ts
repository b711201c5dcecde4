import { randomUUID } from 'node:crypto';
import type { PayloadSettings, StreamSourceSettings } from '../../core/pipeline/streaming-schema.ts';
import { ConfigError, ConnectorError } from '../../core/errors.ts';
import type { StreamMessage, StreamPublisher, StreamSource, StreamSourceOptions } from '../stream-source.ts';
import { IngestRefusal, type IngestEndpoint, type IngestOutcome, type IngestRecord, type RejectedRecord } from './ingest-endpoints.ts';
import { MessageBuffer } from './message-buffer.ts';

export type HttpSourceSettings = Extract<StreamSourceSettings, { type: 'http' }>;

/** Keys this process made up for requests without an Idempotency-Key start with this; no client key may. */
export const generatedKeyMark = '~';

/** A request waiting for its records' commit. */
interface PendingRequest {
  readonly key: string;
  readonly records: readonly IngestRecord[];
  /** Which records are settled (committed or refused), by index. */
  readonly settled: Uint8Array;
  left: number;
  readonly rejected: RejectedRecord[];
  readonly done: Promise<IngestOutcome>;
  finish(outcome: IngestOutcome): void;
}

/** A message's id is `<request key>#<record index>`: one range of committed ids per request. */
const messageId = (key: string, index: number): string => `${key}#${index}`;
const splitId = (id: string): [string, number] => {
  const at = id.lastIndexOf('#');
  return [id.slice(0, at), Number(id.slice(at + 1))];
};

/**
 * A streaming source fed by HTTP requests to `sluice serve`. Each record of
 * a request is a message with the id `<key>#<index>`, where the key is the
 * request's Idempotency-Key (or one made up for it). The request is
 * answered once every record is committed with its id or refused, so a 2xx
 * means the rows are in the sink; a request repeated with the same key
 * finds its ids committed and lands once.
 *
 * What the source holds is bounded: `max_requests` waiting requests and
 * `max_in_flight` records; beyond, a request is refused (429) rather than
 * queued. Nothing is delivered again by a broker: a record not acknowledged
 * is answered as not committed when the stream stops, and the sender retries.
 */
export class HttpIngestSource implements StreamSource, IngestEndpoint {
  readonly description: string;
  private readonly buffer = new MessageBuffer();
  private readonly requests = new Map<string, PendingRequest>();
  /** When each client key was first seen by this process (or first found in the committed ids), for the idempotency window. */
  private readonly keysSeen = new Map<string, number>();
  private lastSweep = Date.now();
  private inFlight = 0;
  private closed = false;

  constructor(
    private readonly settings: HttpSourceSettings,
    readonly payload: PayloadSettings,
    private readonly options: StreamSourceOptions,
  ) {
    this.description = `HTTP ingest POST /api/ingest/${options.pipeline}`;
  }

  get maxBody(): number {
    return this.settings.max_body;
  }

  async submit(records: readonly IngestRecord[], idempotencyKey: string | undefined): Promise<IngestOutcome> {
    if (this.closed) return { kind: 'stopped' };
    const { maxInFlight } = this.options;
    if (records.length > maxInFlight) throw new IngestRefusal('too_many_records', `the request holds ${records.length} records; this pipeline takes at most ${maxInFlight} in one request (its max_in_flight)`);
    const key = idempotencyKey ?? `${generatedKeyMark}${randomUUID()}`;
    if (this.requests.has(key)) throw new IngestRefusal('key_in_use', `a request with Idempotency-Key '${key}' is still being committed; repeat it once that one is answered`);
    if (this.requests.size >= this.settings.max_requests || this.inFlight + records.length > maxInFlight) {
      throw new IngestRefusal('busy', `the pipeline is holding ${this.requests.size} requests (${this.inFlight} records) not yet committed; retry shortly`);
    }
    const now = Date.now();
    if (idempotencyKey !== undefined && !this.keysSeen.has(key)) this.keysSeen.set(key, now);
    let finish!: (outcome: IngestOutcome) => void;
    const done = new Promise<IngestOutcome>((resolve) => (finish = resolve));
    const pending: PendingRequest = { key, records, settled: new Uint8Array(records.length), left: records.length, rejected: [], done, finish };
    this.requests.set(key, pending);
    this.inFlight += records.length;
    if (!records.length) this.complete(pending);
    records.forEach((record, index) => this.buffer.push({ id: messageId(key, index), payload: record.payload, deliveries: 1, publishedAt: now }));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<IngestOutcome>((resolve) => (timer = setTimeout(() => resolve({ kind: 'timeout', waitedMs: this.settings.wait }), this.settings.wait)));
    try {
      return await Promise.race([done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  pull(max: number, waitMs: number, signal: AbortSignal): Promise<StreamMessage[]> {
    return this.buffer.pull(max, waitMs, signal);
  }

  async ack(messages: readonly StreamMessage[]): Promise<void> {
    for (const message of messages) this.settle(message.id);
  }

  async reject(failures: readonly { readonly message: StreamMessage; readonly reason: string }[]): Promise<void> {
    for (const { message, reason } of failures) this.settle(message.id, reason);
  }

  /** Not called while `reject` exists; kept so the contract holds: the record is offered again after the delay. */
  async retryLater(messages: readonly StreamMessage[], delayMs: number): Promise<void> {
    setTimeout(() => {
      if (!this.closed) for (const m of messages) this.buffer.push({ ...m, deliveries: m.deliveries + 1 });
    }, delayMs).unref();
  }

  /**
   * Ids no request will bring again: a made-up key's once its request is
   * answered (no one else knows it), a client's key once the idempotency
   * window has passed since this process first saw it. Keys found in the
   * committed ids after a restart count from when they are first asked about.
   */
  async settledIds(): Promise<(id: string) => boolean> {
    const now = Date.now();
    const window = this.settings.idempotency_window;
    if (now - this.lastSweep > Math.min(window, 60_000)) {
      this.lastSweep = now;
      for (const [key, seen] of this.keysSeen) if (now - seen > 2 * window && !this.requests.has(key)) this.keysSeen.delete(key);
    }
    return (id) => {
      const [key] = splitId(id);
      if (this.requests.has(key)) return false;
      if (key.startsWith(generatedKeyMark)) return true;
      let seen = this.keysSeen.get(key);
      if (seen === undefined) this.keysSeen.set(key, (seen = now));
      return now - seen > window;
    };
  }

  async lag(): Promise<number | undefined> {
    return this.inFlight;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.options.ingest?.unregister(this.options.pipeline, this);
    this.buffer.fail(new ConnectorError('stream.source_closed', `${this.description} is closed`));
    for (const pending of this.requests.values()) pending.finish({ kind: 'stopped' });
    this.requests.clear();
    this.inFlight = 0;
  }

  /** Marks one record committed (or refused, with its reason); the request is answered when none is left. */
  private settle(id: string, reason?: string): void {
    const [key, index] = splitId(id);
    const pending = this.requests.get(key);
    if (!pending || pending.settled[index] !== 0) return;
    pending.settled[index] = 1;
    pending.left -= 1;
    if (reason !== undefined) pending.rejected.push({ index, line: pending.records[index]!.line, reason });
    if (pending.left === 0) this.complete(pending);
  }

  private complete(pending: PendingRequest): void {
    this.requests.delete(pending.key);
    this.inFlight -= pending.records.length;
    const rejected = pending.rejected.sort((a, b) => a.index - b.index);
    pending.finish({ kind: 'committed', accepted: pending.records.length - rejected.length, rejected });
  }
}

/** Opens the pipeline's HTTP endpoint; only a process serving HTTP (`sluice serve`) can. */
export async function openHttpIngestSource(settings: HttpSourceSettings, options: StreamSourceOptions): Promise<StreamSource> {
  if (!options.ingest) {
    throw new ConfigError('stream.http_needs_serve', `pipeline ${options.pipeline} has an http source: its records are POSTed to sluice serve (POST /api/ingest/${options.pipeline}), which runs it; 'sluice stream run' and 'sluice scheduler' cannot`);
  }
  const source = new HttpIngestSource(settings, options.payload ?? { format: 'json', delimiter: ',' }, options);
  options.ingest.register(options.pipeline, source);
  return source;
}

/** An HTTP source has no broker to put a dead letter back into: the sender posts the fixed record again. */
export async function openHttpIngestPublisher(): Promise<StreamPublisher> {
  throw new ConfigError('stream.http_no_replay', 'an http source has no broker to replay dead letters into: POST the fixed records to the ingest route again (its refused records are answered to the sender, not dead-lettered)');
}
