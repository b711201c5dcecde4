/**
 * `npm run bench:stream`: streaming throughput and latency against a
 * hand-written consumer measured in the same run (the broker's client, the
 * same per-record transform, COPY into PostgreSQL in batches, acks after the
 * commit: bench/stream-baseline-consumer.ts).
 *
 * For each broker (JetStream, Redis Streams):
 *   - throughput: RECORDS messages published first, then each consumer started
 *     as its own process; rows/s and CPU seconds per 10k records of the
 *     consumer process from its first committed row to the last, and its peak RSS;
 *     beside it the CPU the broker's server, the consumer's PostgreSQL backends and PostgreSQL's
 *     WAL and background writers spent meanwhile, per 10k records. Their sum bounds the rate the
 *     machine's cores allow, whatever the consumer does;
 *   - latency: each consumer started on an empty stream, then messages
 *     published at RATE/s for SECONDS s, each stamped with its publish time;
 *     publish-to-commit latency p50 and p99 from the rows' commit times.
 * Counts, distinct ids and sums are checked on every table. Figures are
 * reported, never asserted.
 *
 *   npm run bench:stream -- [--records 200000] [--rate 20000] [--seconds 10] [--batch 5000] [--brokers nats,redis]
 *                           [--consumers baseline,sluice] [--rss-samples] [--no-latency] [--profile DIR]
 *
 * `--profile DIR` writes a V8 CPU profile of each Sluice consumer process into DIR (`node --cpu-prof`).
 * `--rss-samples` samples each consumer's resident memory as the rows come in and prints it at a
 * fifth, half and all of the records (e.g. 1M, 2.5M and 5M of `--records 5000000`), to show whether it
 * stays flat. `--consumers sluice` runs Sluice alone (no ratio), `--no-latency` skips the latency runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { PG_URL, REPO } from './bench-common.ts';
import { cpuMsOf } from './fleet.ts';

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    rate: { type: 'string', default: '20000' },
    seconds: { type: 'string', default: '10' },
    batch: { type: 'string', default: '5000' },
    brokers: { type: 'string', default: 'nats,redis' },
    profile: { type: 'string' },
    consumers: { type: 'string', default: 'baseline,sluice' },
    'rss-samples': { type: 'boolean', default: false },
    'no-latency': { type: 'boolean', default: false },
  },
});
const consumers = args.consumers.split(',') as ('baseline' | 'sluice')[];
const records = Number(args.records);
const rate = Number(args.rate);
const seconds = Number(args.seconds);
const batch = Number(args.batch);
const brokers = args.brokers.split(',') as ('nats' | 'redis')[];
const tag = `bench_stream_${randomBytes(3).toString('hex')}`;
const dir = path.join(tmpdir(), tag);
const db = new pg.Client({ connectionString: PG_URL });
await db.connect();
await db.query(`CREATE SCHEMA ${tag}`);
await db.query(`SET search_path = ${tag}`);

const columns = 'id bigint NOT NULL, amount double precision, ts bigint, amount_cents double precision, committed_at timestamptz DEFAULT clock_timestamp()';

/** A Sluice project streaming from each source into `sluice_<source>`, with a per-record TypeScript transform. */
function writeProject(): void {
  mkdirSync(path.join(dir, 'pipelines'), { recursive: true });
  mkdirSync(path.join(dir, 'transforms'), { recursive: true });
  writeFileSync(path.join(dir, 'sluice.yaml'), `name: ${tag}\n`);
  writeFileSync(path.join(dir, 'connections.yaml'), `connections:\n  pg:\n    connector: postgres\n    url: "${PG_URL}"\n    schema: ${tag}\n`);
  writeFileSync(path.join(dir, 'transforms/cents.ts'), 'export default (r: { id: number; amount: number; ts: number }) => ({ ...r, amount_cents: Math.round(r.amount * 100) });\n');
}

function pipelineFile(name: string, source: string): void {
  writeFileSync(
    path.join(dir, `pipelines/${name}.yaml`),
    [
      'kind: streaming',
      `source: ${source}`,
      'payload: { columns: { id: BIGINT NOT NULL, amount: DOUBLE, ts: BIGINT } }',
      `batch_size: ${batch}`,
      `max_in_flight: ${batch * 4}`,
      'transformers:',
      '  - { name: cents, file: transforms/cents.ts }',
      'sinks:',
      `  - { connection: pg, table: ${name} }`,
      '',
    ].join('\n'),
  );
}

const payload = (id: number, ts = Date.now()) => JSON.stringify({ id, amount: (id % 1000) / 10, ts });

interface Broker {
  /** Creates the stream `name` and publishes ids first..last; resolves once the broker holds them. */
  publish(name: string, first: number, last: number): Promise<void>;
  /** Publishes ids 1..count at `perSecond`, each stamped with its publish time. */
  publishPaced(name: string, count: number, perSecond: number): Promise<void>;
  sourceYaml(name: string): string;
  drop(name: string): Promise<void>;
  close(): Promise<void>;
}

async function natsBroker(): Promise<Broker> {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstream, jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: 'nats://127.0.0.1:4222' });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const made = new Set<string>();
  const ensure = async (name: string) => {
    made.add(name);
    await jsm.streams.add({ name, subjects: [`${name}.>`] }).catch(() => undefined);
  };
  // A publish that times out on a busy machine (after 30 s, not the client's 5: the paced runs send thousands a second) is sent
  // again; the message id lets the stream drop a second copy.
  const send = async (name: string, id: number): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await js.publish(`${name}.e`, payload(id), { msgID: `${name}-${id}`, timeout: 30_000 });
        return;
      } catch (error) {
        if (attempt === 5) throw error;
      }
    }
  };
  return {
    async publish(name, first, last) {
      await ensure(name);
      for (let i = first; i <= last; i += 1000) {
        await Promise.all(Array.from({ length: Math.min(1000, last - i + 1) }, (_, k) => send(name, i + k)));
      }
    },
    async publishPaced(name, count, perSecond) {
      await ensure(name);
      await paced(count, perSecond, (ids) => Promise.all(ids.map((id) => send(name, id))));
    },
    sourceYaml: (name) => `{ type: nats_jetstream, stream: ${name} }`,
    drop: async (name) => {
      made.delete(name);
      await jsm.streams.delete(name).catch(() => undefined);
    },
    async close() {
      // Streams left by a run that failed midway.
      for (const name of made) await jsm.streams.delete(name).catch(() => undefined);
      await nc.close();
    },
  };
}

async function redisBroker(): Promise<Broker> {
  const { Redis } = await import('ioredis');
  const redis = new Redis('redis://127.0.0.1:6379');
  const made = new Set<string>();
  const add = async (name: string, ids: number[]) => {
    made.add(name);
    const p = redis.pipeline();
    for (const id of ids) p.xadd(name, '*', 'data', payload(id));
    await p.exec();
  };
  return {
    async publish(name, first, last) {
      for (let i = first; i <= last; i += 1000) await add(name, Array.from({ length: Math.min(1000, last - i + 1) }, (_, k) => i + k));
    },
    publishPaced: (name, count, perSecond) => paced(count, perSecond, (ids) => add(name, ids)),
    sourceYaml: (name) => `{ type: redis_streams, stream: ${name} }`,
    drop: async (name) => {
      made.delete(name);
      await redis.del(name);
    },
    async close() {
      if (made.size) await redis.del(...made);
      redis.disconnect();
    },
  };
}

/** Sends ids 1..count in slices every 10 ms, keeping to `perSecond` on average. */
async function paced(count: number, perSecond: number, send: (ids: number[]) => Promise<unknown>): Promise<void> {
  const start = Date.now();
  let sent = 0;
  while (sent < count) {
    const due = Math.min(count, Math.floor(((Date.now() - start) / 1000) * perSecond));
    if (due > sent) {
      await send(Array.from({ length: due - sent }, (_, k) => sent + k + 1));
      sent = due;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Consumer {
  readonly child: ChildProcess;
  output(): string;
}

/** Every consumer process started, so a run that fails midway does not leave them running. */
const started = new Set<ChildProcess>();

function startConsumer(kind: 'sluice' | 'baseline', broker: string, source: string, table: string): Consumer {
  const argv =
    kind === 'sluice'
      ? [...(args.profile ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(args.profile)] : []), path.join(REPO, 'bin/sluice.js'), 'stream', 'run', table]
      : // tsx as a loader in this very process (its CLI would run the consumer in a child, hiding its CPU and memory from /proc).
        ['--import', pathToFileURL(path.join(REPO, 'node_modules/tsx/dist/loader.mjs')).href, path.join(REPO, 'bench/stream-baseline-consumer.ts'), broker, source, `${tag}.${table}`, String(batch)];
  let text = '';
  const child = spawn(process.execPath, argv, { cwd: dir, env: { ...process.env, CI: '1', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  return { child, output: () => text };
}

/** Peak and current RSS (MB) and CPU seconds of a live process, from /proc. */
function usage(pid: number): { peakMb: number; rssMb: number; cpuS: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const peakKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]);
  return { peakMb: peakKb / 1024, rssMb: rssKb / 1024, cpuS: ticks / 100 };
}

/** The ids of the processes whose command line (as the process shows it) passes `test`. */
function pidsWhere(test: (cmdline: string) => boolean): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (test(readFileSync(`/proc/${entry}/cmdline`, 'utf8'))) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/**
 * The PostgreSQL backends serving a consumer process: its sockets' local ports, from /proc, matched with
 * pg_stat_activity's client ports. The backends of other work on the same server are left out.
 */
async function backendsOf(pid: number): Promise<number[]> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode) inodes.add(inode);
    } catch {
      // Closed meanwhile.
    }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && inodes.has(f[9]!) && f[2]!.endsWith(':1538')) ports.push(parseInt(f[1]!.split(':')[1]!, 16));
    }
  }
  if (!ports.length) return [];
  const { rows } = await db.query('SELECT pid FROM pg_stat_activity WHERE client_port = ANY($1::int[])', [ports]);
  return rows.map((r: { pid: number }) => r.pid);
}

/**
 * The processes that work for a consumer besides itself: the broker's server, the consumer's PostgreSQL
 * backends, and PostgreSQL's WAL and background writers (they work for every session: on a shared server
 * they count some of the others' work too).
 */
async function helpers(brokerName: string, consumerPid: number): Promise<{ broker: number[]; backends: number[]; writers: number[] }> {
  const server = brokerName === 'nats' ? 'nats-server' : 'redis-server';
  return {
    broker: pidsWhere((c) => c.split('\0')[0]!.split(/[ /]/).includes(server)),
    backends: await backendsOf(consumerPid),
    writers: pidsWhere((c) => /^postgres: .*(walwriter|checkpointer|background writer|autovacuum)/.test(c)),
  };
}

/** CPU seconds of each process, for the difference between two moments. */
function cpuOfAll(groups: Record<string, number[]>): Map<number, number> {
  return new Map(Object.values(groups).flatMap((pids) => pids.map((pid) => [pid, cpuMsOf(pid) / 1000] as const)));
}

/** Resident memory at a fifth, half and all of the records, with the greatest seen up to each point. */
function rssAt(samples: readonly { rows: number; rssMb: number }[]): string {
  return [0.2, 0.5, 1]
    .map((share) => {
      const at = Math.round(records * share);
      const upTo = samples.filter((s) => s.rows <= at);
      const here = samples.find((s) => s.rows >= at) ?? samples.at(-1);
      const peak = Math.max(...upTo.map((s) => s.rssMb), here?.rssMb ?? 0);
      return `${fmt(at)}: ${here ? here.rssMb.toFixed(0) : '?'} MB (peak so far ${peak.toFixed(0)} MB)`;
    })
    .join(', ');
}

async function count(table: string): Promise<number> {
  const rows = await db.query(`SELECT count(*)::int AS n FROM ${tag}.${table}`).catch(() => ({ rows: [{ n: 0 }] }));
  return rows.rows[0].n as number;
}

async function until(check: () => Promise<boolean>, consumer: Consumer, what: string, timeoutMs = 900_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (consumer.child.exitCode !== null) throw new Error(`the consumer exited while waiting for ${what}:\n${consumer.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${consumer.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stopConsumer(kind: 'sluice' | 'baseline', consumer: Consumer): Promise<void> {
  const exited = new Promise((resolve) => consumer.child.once('exit', resolve));
  consumer.child.kill(kind === 'sluice' ? 'SIGINT' : 'SIGTERM');
  await exited;
}

async function checkTable(table: string, expected: number): Promise<string> {
  const { rows } = await db.query(`SELECT count(*)::bigint AS n, count(DISTINCT id)::bigint AS d, coalesce(sum(id), 0)::text AS s FROM ${tag}.${table}`);
  const want = String((BigInt(expected) * BigInt(expected + 1)) / 2n);
  const ok = Number(rows[0].n) === expected && Number(rows[0].d) === expected && rows[0].s === want;
  return ok ? 'rows, distinct ids and sum match' : `MISMATCH: ${rows[0].n} rows, ${rows[0].d} distinct, sum ${rows[0].s} (want ${expected}, sum ${want})`;
}

async function throughput(kind: 'sluice' | 'baseline', brokerName: string, broker: Broker): Promise<{ rate: number; peakMb: number; cpuPer10k: number; others: { broker: number; backends: number; writers: number }; check: string; rss: string }> {
  const table = `${kind}_${brokerName}_tp`;
  const source = `${tag}_${kind}_${brokerName}_tp`.toUpperCase();
  await broker.publish(source, 1, records);
  if (kind === 'baseline') await db.query(`CREATE TABLE ${tag}.${table} (${columns})`);
  else pipelineFile(table, broker.sourceYaml(source));
  const consumer = startConsumer(kind, brokerName, source, table);
  await until(async () => (await count(table)) > 0, consumer, 'the first row');
  // Rate and CPU from the first committed row on: start-up (loading the code) is not per record.
  const first = Date.now();
  const firstCount = await count(table);
  const cpuAtFirst = usage(consumer.child.pid!).cpuS;
  const workers = await helpers(brokerName, consumer.child.pid!);
  const workersAtFirst = cpuOfAll(workers);
  const samples: { rows: number; rssMb: number }[] = [];
  let sampledAt = 0;
  await until(
    async () => {
      const rows = await count(table);
      // Every half second at most: the series shows whether memory grows with the records taken.
      if (args['rss-samples'] && Date.now() - sampledAt >= 500) {
        sampledAt = Date.now();
        samples.push({ rows, rssMb: usage(consumer.child.pid!).rssMb });
      }
      return rows >= records;
    },
    consumer,
    `${records} rows`,
    Math.max(900_000, records * 2),
  );
  const seconds_ = (Date.now() - first) / 1000;
  const used = usage(consumer.child.pid!);
  // A backend opened after the first row counts from nothing; one closed meanwhile is lost (the pool keeps them open).
  const later = await helpers(brokerName, consumer.child.pid!);
  const workersAtEnd = cpuOfAll(later);
  const spent = (pids: readonly number[]) => [...new Set(pids)].reduce((total, pid) => total + Math.max(0, (workersAtEnd.get(pid) ?? 0) - (workersAtFirst.get(pid) ?? 0)), 0);
  samples.push({ rows: records, rssMb: used.rssMb });
  await stopConsumer(kind, consumer);
  await broker.drop(source);
  const counted = records - firstCount;
  const per10k = (cpuS: number) => (cpuS / counted) * 10_000;
  const others = {
    broker: per10k(spent([...workers.broker, ...later.broker])),
    backends: per10k(spent([...workers.backends, ...later.backends])),
    writers: per10k(spent([...workers.writers, ...later.writers])),
  };
  return { rate: counted / seconds_, peakMb: used.peakMb, cpuPer10k: per10k(used.cpuS - cpuAtFirst), others, check: await checkTable(table, records), rss: args['rss-samples'] ? rssAt(samples) : '' };
}

async function latency(kind: 'sluice' | 'baseline', brokerName: string, broker: Broker): Promise<{ p50: number; p99: number; check: string }> {
  const table = `${kind}_${brokerName}_lat`;
  const source = `${tag}_${kind}_${brokerName}_lat`.toUpperCase();
  const total = rate * seconds;
  await db.query(`CREATE TABLE ${tag}.${table} (${columns})`);
  // A first message opens the stream and the consumer, so start-up is not counted as latency.
  await broker.publish(source, 0, 0);
  if (kind === 'sluice') pipelineFile(table, broker.sourceYaml(source));
  const consumer = startConsumer(kind, brokerName, source, table);
  await until(async () => (await count(table)) >= 1, consumer, 'the opening message');
  await broker.publishPaced(source, total, rate);
  await until(async () => (await count(table)) >= total + 1, consumer, `${total} rows`);
  await stopConsumer(kind, consumer);
  const { rows } = await db.query(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99
       FROM (SELECT extract(epoch FROM committed_at) * 1000 - ts AS ms FROM ${tag}.${table} WHERE id > 0) t`,
  );
  await db.query(`DELETE FROM ${tag}.${table} WHERE id = 0`);
  await broker.drop(source);
  return { p50: Number(rows[0].p50), p99: Number(rows[0].p99), check: await checkTable(table, total) };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
try {
  writeProject();
  console.log(`bench:stream  ${fmt(records)} records for throughput, ${fmt(rate)}/s for ${seconds} s for latency, batch ${batch}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  for (const name of brokers) {
    const broker = name === 'nats' ? await natsBroker() : await redisBroker();
    try {
      const results = new Map<string, Awaited<ReturnType<typeof throughput>>>();
      for (const kind of consumers) {
        const result = await throughput(kind, name, broker);
        results.set(kind, result);
        const ratio = kind === 'sluice' && results.has('baseline') ? `  ratio ${(result.rate / results.get('baseline')!.rate).toFixed(2)}x` : '';
        console.log(`${name} throughput  ${kind.padEnd(8)} ${fmt(result.rate)} rows/s, ${result.peakMb.toFixed(0)} MB peak, ${result.cpuPer10k.toFixed(3)} CPU s/10k (${result.check})${ratio}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
        const { broker: b, backends, writers } = result.others;
        const all = result.cpuPer10k + b + backends + writers;
        // With every process on the machine's cores and nothing else running, the rate cannot pass cores / CPU per record.
        const bound = (availableParallelism() / all) * 10_000;
        console.log(
          `${name} CPU/10k     ${kind.padEnd(8)} consumer ${result.cpuPer10k.toFixed(3)} s, ${name === 'nats' ? 'nats-server' : 'redis-server'} ${b.toFixed(3)} s, PostgreSQL backends ${backends.toFixed(3)} s + writers ${writers.toFixed(3)} s; in all ${all.toFixed(3)} s: at most ${fmt(bound)} rows/s on ${availableParallelism()} cores`,
        );
        if (result.rss) console.log(`${name} memory      ${kind.padEnd(8)} RSS at ${result.rss}`);
      }
      if (args['no-latency']) continue;
      const baseLat = await latency('baseline', name, broker);
      const ourLat = await latency('sluice', name, broker);
      console.log(`${name} latency at ${fmt(rate)}/s  baseline p50 ${fmt(baseLat.p50)} ms, p99 ${fmt(baseLat.p99)} ms (${baseLat.check})`);
      console.log(`${name} latency at ${fmt(rate)}/s  sluice   p50 ${fmt(ourLat.p50)} ms, p99 ${fmt(ourLat.p99)} ms (${ourLat.check})`);
    } finally {
      await broker.close();
    }
  }
  console.log(`load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
} finally {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await db.query(`DROP SCHEMA ${tag} CASCADE`).catch(() => undefined);
  await db.end();
  rmSync(dir, { recursive: true, force: true });
}
