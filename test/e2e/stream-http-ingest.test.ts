import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, stop } from './cli-helpers.ts';
import { countRows, createStreamWorld, type StreamWorld } from './stream-fixtures.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';
import type { IngestAnswer } from '../../src/server/api-types.ts';

const skip = await requirePrerequisites('postgres');
const heavy = process.env.SLUICE_HEAVY === '1';

/** A `sluice serve` process (with its streams) over the world's project, driven over real HTTP. */
interface Server {
  readonly child: ChildProcess;
  readonly base: string;
  output(): string;
}

async function startServer(dir: string): Promise<Server> {
  let text = '';
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/sluice.js'), 'serve', '--port', '0', '--lease', '900'], { cwd: dir, env: { ...process.env, CI: '1', NO_COLOR: '1', SLUICE_API_TOKEN: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const base = await waitFor(() => /API on (http:\/\/\S+)/.exec(text)?.[1], { what: 'the server to start', giveUpWhen: () => (child.exitCode !== null ? text : undefined) });
  return { child, base, output: () => text };
}

const order = (id: number, amount: unknown = id / 4) => ({ id, amount, note: `order ${id}` });

describe('HTTP ingest into a streaming pipeline, through sluice serve', { skip }, () => {
  let world: StreamWorld;
  let server: Server;
  let token: string;
  const post = (pipeline: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.base}/api/ingest/${pipeline}`, { method: 'POST', body, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers } });
  const postOrders = async (pipeline: string, ids: readonly number[], key?: string) => {
    const response = await post(pipeline, JSON.stringify(ids.map((id) => order(id))), key ? { 'idempotency-key': key } : {});
    return { status: response.status, body: (await response.json()) as IngestAnswer & { error?: { code: string; message: string } } };
  };
  const pipelineYaml = (extra: readonly string[]) =>
    ['kind: streaming', 'source:', '  type: http', ...extra.map((l) => `  ${l}`), 'payload:', '  columns: { id: BIGINT NOT NULL, amount: DOUBLE, note: VARCHAR }', 'batch_size: 500', 'batch_wait: 20ms', 'sinks:'];
  const ready = (pipeline: string) =>
    waitFor(async () => (await post(pipeline, '')).status === 200, { what: `the ingest endpoint of ${pipeline}`, giveUpWhen: () => (server.child.exitCode !== null ? server.output() : undefined) });

  before(async () => {
    world = await createStreamWorld('ingest');
    world.pipeline('orders', [...pipelineYaml([]), '  - { connection: pg, table: orders }', ''].join('\n'));
    // Commits wait out a long batch, so requests pile up against a bound of two.
    world.pipeline('slow', ['kind: streaming', 'source: { type: http, max_requests: 2 }', 'batch_size: 1000', 'batch_wait: 3s', 'sinks:', '  - { connection: pg, table: slow }', ''].join('\n'));
    world.pipeline('lines', ['kind: streaming', 'source: { type: http }', 'payload: { format: csv, columns: { id: BIGINT NOT NULL, city: VARCHAR } }', 'batch_wait: 20ms', 'sinks:', '  - { connection: pg, table: lines }', ''].join('\n'));
    world.pipeline('frozen', ['kind: streaming', 'source: { type: http }', 'payload: { columns: { id: BIGINT NOT NULL } }', 'schema_contract: freeze', 'batch_wait: 20ms', 'sinks:', '  - { connection: pg, table: frozen }', ''].join('\n'));
    server = await startServer(world.dir);
    token = readFileSync(path.join(world.dir, '.sluice/api-token'), 'utf8').trim();
    await Promise.all(['orders', 'slow', 'lines', 'frozen'].map(ready));
  });
  after(async () => {
    if (server) await stop(server.child, 'SIGTERM');
    await world?.close();
  });

  it('answers concurrent posts only once their rows are committed, and lands a repeated key once', async () => {
    const requests = Array.from({ length: 20 }, (_, r) => Array.from({ length: 50 }, (_, i) => 1 + r * 50 + i));
    const answers = await Promise.all(requests.map((ids, r) => postOrders('orders', ids, `batch-${r}`)));
    for (const answer of answers) assert.deepEqual(answer, { status: 200, body: { accepted: 50, rejected: [], idempotency_key: answer.body.idempotency_key } });
    // 200 means committed: the rows are there the moment the answers are.
    assert.equal(await countRows(world, 'orders'), 1000);

    const again = await postOrders('orders', requests[7]!, 'batch-7');
    assert.deepEqual(again, { status: 200, body: { accepted: 50, rejected: [], idempotency_key: 'batch-7' } });
    const [row] = await world.query(`SELECT count(*) AS n, count(DISTINCT id) AS k, sum(id) AS s FROM ${world.name}.orders`);
    assert.deepEqual({ n: Number(row!.n), k: Number(row!.k), s: Number(row!.s) }, { n: 1000, k: 1000, s: 500_500 });
  });

  it('names the index and column of a refused record, commits the rest (207), and refuses a request of bad records only (422)', async () => {
    const body = JSON.stringify([order(2001), order(2002, 'lots'), order(2003), { amount: 1 }]);
    const response = await post('orders', body, { 'idempotency-key': 'mixed-1' });
    assert.equal(response.status, 207);
    const answer = (await response.json()) as IngestAnswer;
    assert.equal(answer.accepted, 2);
    assert.deepEqual(answer.rejected.map((r) => r.index), [1, 3]);
    assert.match(answer.rejected[0]!.reason, /column amount \(DOUBLE\): "lots" is not a valid value/);
    assert.match(answer.rejected[1]!.reason, /column id is NOT NULL/);
    assert.equal(await countRows(world, 'orders', 'id BETWEEN 2001 AND 2003'), 2);

    // The sender fixes record 1 and repeats the request with its key: only the fixed record is new.
    const fixed = await post('orders', JSON.stringify([order(2001), order(2002), order(2003), order(2004)]), { 'idempotency-key': 'mixed-1' });
    assert.deepEqual({ status: fixed.status, body: await fixed.json() }, { status: 200, body: { accepted: 4, rejected: [], idempotency_key: 'mixed-1' } });
    assert.equal(await countRows(world, 'orders', 'id BETWEEN 2001 AND 2004'), 4);

    const allBad = await postOrders('orders', [], undefined);
    assert.equal(allBad.status, 200, 'an empty request is committed at once');
    const refused = await post('orders', '{"id": "x"}\n{"id": 1.5}\n', { 'content-type': 'application/x-ndjson' });
    const refusedBody = (await refused.json()) as IngestAnswer & { error: { code: string; message: string } };
    assert.equal(refused.status, 422);
    assert.equal(refusedBody.error.code, 'ingest.bad_records');
    assert.deepEqual(refusedBody.rejected.map((r) => [r.index, r.line]), [[0, 1], [1, 2]]);
    assert.match(refusedBody.error.message, /record 0 \(line 1\): column id \(BIGINT\): "x"/);
  });

  it('takes CSV lines, holds a frozen schema, and refuses a body that is not records, a bad key, a missing credential and an unknown pipeline', async () => {
    const csv = await post('lines', 'id,city\n1,Lyon\n2,"Porto, PT"\n', { 'content-type': 'text/csv' });
    const csvAnswer = (await csv.json()) as IngestAnswer;
    assert.equal(csv.status, 207, 'the header line is a record like any other, and it is no BIGINT');
    assert.deepEqual(csvAnswer.rejected.map((r) => [r.index, r.line]), [[0, 1]]);
    assert.deepEqual(await world.query(`SELECT id, city FROM ${world.name}.lines ORDER BY id`), [{ id: '1', city: 'Lyon' }, { id: '2', city: 'Porto, PT' }]);

    const frozen = await post('frozen', '[{"id": 1}, {"id": 2, "color": "red"}]');
    assert.equal(frozen.status, 207);
    assert.deepEqual(((await frozen.json()) as IngestAnswer).rejected, [{ index: 1, reason: 'field color is not a declared column and the schema contract is freeze' }]);

    const bad = await post('orders', '[{"id": 1}, ');
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'ingest.bad_body');
    assert.equal((await post('orders', '[]', { 'idempotency-key': '~mine' })).status, 400);
    const anonymous = await fetch(`${server.base}/api/ingest/orders`, { method: 'POST', body: '[]' });
    assert.equal(anonymous.status, 401);
    const unknown = await post('nothing_here', '[]');
    assert.equal(unknown.status, 404);
  });

  it('refuses a request beyond its bound of waiting requests with 429 and Retry-After, and commits the others', async () => {
    const slowPost = (id: number) => post('slow', JSON.stringify([{ id }]), { 'idempotency-key': `slow-${id}` });
    const first = [slowPost(1), slowPost(2)];
    // The two are taken and wait for their batch to close; a third finds the bound full.
    await waitFor(async () => {
      const third = await slowPost(3);
      return third.status === 429 && third;
    }, { what: 'a 429 from the full endpoint', timeout: 2500, every: 100 }).then((third) => assert.equal(third.headers.get('retry-after'), '1'));
    assert.deepEqual((await Promise.all(first)).map((r) => r.status), [200, 200]);
    assert.equal(await countRows(world, 'slow'), 2);
  });

  it('keeps every acknowledged request exactly once through SIGKILLs of the server; repeating the rest lands them once', async () => {
    const requests = heavy ? 2000 : 200;
    const perRequest = 25;
    const kills = heavy ? 5 : 2;
    const base = 100_000;
    const ids = (r: number) => Array.from({ length: perRequest }, (_, i) => base + r * perRequest + i);
    const acked = new Set<number>();
    let next = 0;
    for (let k = 0; k <= kills; k++) {
      // Four senders post requests in turn until the server dies (or, the last time, until all are sent).
      const killAt = k < kills ? Math.floor((requests * (k + 0.5 + Math.random() * 0.5)) / (kills + 1)) : requests;
      const sender = async () => {
        while (next < requests) {
          const r = next++;
          if (k < kills && r >= killAt && server.child.exitCode === null) {
            await stop(server.child, 'SIGKILL');
          }
          const answer = await postOrders('orders', ids(r), `kill-${r}`).catch(() => undefined);
          if (answer?.status === 200) acked.add(r);
          else if (server.child.exitCode !== null || server.child.signalCode !== null) return;
        }
      };
      await Promise.all([sender(), sender(), sender(), sender()]);
      // Every acknowledged request's rows are committed, whatever the kill interrupted.
      for (const r of acked) assert.equal(await countRows(world, 'orders', `id BETWEEN ${ids(r)[0]} AND ${ids(r).at(-1)}`), perRequest, `request ${r} was answered 200`);
      if (k < kills) {
        world.pipeline('frozen', ['kind: streaming', 'source: { type: http }', 'payload: { columns: { id: BIGINT NOT NULL } }', 'schema_contract: freeze', 'batch_wait: 20ms', 'sinks:', '  - { connection: pg, table: frozen }', ''].join('\n'));
    server = await startServer(world.dir);
        await ready('orders');
      }
    }
    // The senders repeat each request they had no 200 for, with its key, as a client would.
    for (let r = 0; r < requests; r++) {
      if (acked.has(r)) continue;
      const answer = await postOrders('orders', ids(r), `kill-${r}`);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
    }
    const n = requests * perRequest;
    const [row] = await world.query(`SELECT count(*) AS n, count(DISTINCT id) AS k, sum(id) AS s FROM ${world.name}.orders WHERE id >= ${base}`);
    assert.deepEqual({ n: Number(row!.n), k: Number(row!.k), s: Number(row!.s) }, { n, k: n, s: n * base + (n * (n - 1)) / 2 });
  });
});
