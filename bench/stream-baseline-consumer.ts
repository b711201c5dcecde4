/**
 * The hand-written consumer `bench/stream.ts` compares Sluice with: the
 * broker's client, the same per-record transform, COPY into PostgreSQL in
 * batches with the last position saved in the same transaction, and the
 * acknowledgements sent after the commit. No framework, no dead letters,
 * no schema checks: the least a careful engineer would write.
 *
 *   tsx bench/stream-baseline-consumer.ts nats|redis SOURCE TABLE BATCH_SIZE
 *
 * Runs until SIGTERM.
 */
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { PG_URL } from './bench-common.ts';

const [broker, source, table, batchArg] = process.argv.slice(2) as [string, string, string, string];
const batchSize = Number(batchArg);
const waitMs = 200;
let stopping = false;
let stopReading: () => unknown = () => undefined;
process.on('SIGTERM', () => {
  stopping = true;
  stopReading();
});

const db = new pg.Client({ connectionString: PG_URL });
await db.connect();
// The position lives beside the table, in its schema.
const positions = `${table.split('.')[0]}.bench_stream_position`;
await db.query(`CREATE TABLE IF NOT EXISTS ${positions} (consumer text PRIMARY KEY, position text NOT NULL)`);
const consumerName = `baseline_${table.replace(/[^A-Za-z0-9_]/g, '_')}`;

interface Record_ { id: number; amount: number; ts: number }
/** The same transform the Sluice pipeline's TypeScript transformer applies. */
const transform = (r: Record_) => ({ ...r, amount_cents: Math.round(r.amount * 100) });

async function commit(rows: Record_[], position: string): Promise<void> {
  await db.query('BEGIN');
  const lines = rows.map((r) => {
    const t = transform(r);
    return `${t.id}\t${t.amount}\t${t.ts}\t${t.amount_cents}\n`;
  });
  await pipeline(Readable.from([lines.join('')]), db.query(copyFrom(`COPY ${table} (id, amount, ts, amount_cents) FROM STDIN`)));
  await db.query(`INSERT INTO ${positions} VALUES ($1, $2) ON CONFLICT (consumer) DO UPDATE SET position = EXCLUDED.position`, [table, position]);
  await db.query('COMMIT');
}

if (broker === 'nats') {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstream, jetstreamManager, AckPolicy } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: 'nats://127.0.0.1:4222' });
  const durable = consumerName;
  await (await jetstreamManager(nc)).consumers.add(source, { durable_name: durable, ack_policy: AckPolicy.Explicit, max_ack_pending: batchSize * 4 });
  const consumer = await jetstream(nc).consumers.get(source, durable);
  const messages = await consumer.consume({ max_messages: Math.min(batchSize * 2, 10_000) });
  stopReading = () => messages.stop();
  let batch: { seq: number; ack: () => void; row: Record_ }[] = [];
  let first = 0;
  const flush = async () => {
    if (!batch.length) return;
    const taken = batch;
    batch = [];
    await commit(taken.map((m) => m.row), String(taken[taken.length - 1]!.seq));
    for (const m of taken) m.ack();
  };
  const timer = setInterval(() => {
    if (batch.length && Date.now() - first >= waitMs) void flush();
  }, 20);
  for await (const m of messages) {
    if (!batch.length) first = Date.now();
    batch.push({ seq: m.seq, ack: () => m.ack(), row: m.json<Record_>() });
    if (batch.length >= batchSize) await flush();
    if (stopping) break;
  }
  clearInterval(timer);
  await flush();
  await nc.close();
} else {
  const { Redis } = await import('ioredis');
  const redis = new Redis('redis://127.0.0.1:6379');
  const group = consumerName;
  await redis.xgroup('CREATE', source, group, '0', 'MKSTREAM').catch(() => undefined);
  while (!stopping) {
    const reply = (await redis.xreadgroup('GROUP', group, 'c1', 'COUNT', batchSize, 'BLOCK', waitMs, 'STREAMS', source, '>')) as [string, [string, string[]][]][] | null;
    const entries = reply?.[0]?.[1] ?? [];
    if (!entries.length) continue;
    const rows = entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('data') + 1]!) as Record_);
    await commit(rows, entries[entries.length - 1]![0]);
    await redis.xack(source, group, ...entries.map(([id]) => id));
  }
  redis.disconnect();
}
await db.end();
