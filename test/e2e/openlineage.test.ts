import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { sluice, tempDir, writeProject } from './cli-helpers.ts';

/**
 * What the OpenLineage spec (2-0-2, OpenLineage.json) requires of a RunEvent,
 * checked the way a receiver would: the fields `required` names, their
 * formats (date-time, uri, uuid), the event types, and datasets and facets
 * in their own shapes. Returns the problems; none for a valid event.
 */
function specProblems(event: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  const isUri = (v: unknown) => typeof v === 'string' && /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(v);
  need(typeof event.eventTime === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(event.eventTime), 'eventTime is an RFC 3339 date-time');
  need(isUri(event.producer), 'producer is a URI');
  need(isUri(event.schemaURL), 'schemaURL is a URI');
  need(['START', 'RUNNING', 'COMPLETE', 'ABORT', 'FAIL', 'OTHER'].includes(String(event.eventType)), 'eventType is one of the spec\'s');
  const run = event.run as { runId?: unknown; facets?: Record<string, Record<string, unknown>> } | undefined;
  need(typeof run?.runId === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(run.runId), 'run.runId is a UUID');
  const job = event.job as { namespace?: unknown; name?: unknown; facets?: Record<string, Record<string, unknown>> } | undefined;
  need(typeof job?.namespace === 'string' && job.namespace !== '' && typeof job.name === 'string' && job.name !== '', 'job has a namespace and a name');
  for (const [key, list] of [['inputs', event.inputs], ['outputs', event.outputs]] as const) {
    if (list === undefined) continue;
    need(Array.isArray(list), `${key} is an array`);
    for (const dataset of (list as { namespace?: unknown; name?: unknown }[]) ?? []) {
      need(typeof dataset.namespace === 'string' && typeof dataset.name === 'string', `every one of ${key} has a namespace and a name`);
    }
  }
  for (const facets of [run?.facets, job?.facets]) {
    for (const [name, facet] of Object.entries(facets ?? {})) {
      need(isUri(facet._producer) && isUri(facet._schemaURL), `facet ${name} has _producer and _schemaURL`);
    }
  }
  const error = run?.facets?.errorMessage;
  if (error) need(typeof error.message === 'string' && typeof error.programmingLanguage === 'string', 'the errorMessage facet has message and programmingLanguage');
  return problems;
}

interface Received {
  readonly event: Record<string, unknown>;
  readonly problems: string[];
  readonly authorization: string | undefined;
}

describe('OpenLineage events', () => {
  const { dir, cleanup } = tempDir('sluice-openlineage-');
  const received: Received[] = [];
  let answer = 200;
  let receiver: Server;

  before(async () => {
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const event = JSON.parse(body) as Record<string, unknown>;
        const problems = specProblems(event);
        received.push({ event, problems, authorization: request.headers.authorization });
        response.writeHead(problems.length ? 400 : answer, { 'content-type': 'application/json' });
        response.end(JSON.stringify(problems.length ? { problems } : {}));
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as AddressInfo).port;
    writeProject(dir, {
      'sluice.yaml': ['name: shop', 'openlineage:', `  url: http://127.0.0.1:${port}/api/v1/lineage`, '  api_key: ${LINEAGE_KEY}', ''].join('\n'),
      'data/orders.csv': 'id,amount\n1,10.5\n2,4.25\n',
      'pipelines/orders.yaml': [
        'blocks:',
        '  - { name: raw, role: loader, connector: file, settings: { path: data/orders.csv } }',
        '  - { name: totals, file: blocks/totals.sql, upstream: [raw] }',
        '  - { name: land, role: exporter, connection: warehouse, upstream: [totals], settings: { table: order_totals } }',
        '',
      ].join('\n'),
      'blocks/totals.sql': 'SELECT count(*) AS orders, sum(amount) AS revenue FROM raw\n',
      'pipelines/broken.yaml': ['blocks:', '  - { name: raw, role: loader, connector: file, settings: { path: data/orders.csv } }', '  - { name: bad, file: blocks/bad.sql, upstream: [raw] }', ''].join('\n'),
      'blocks/bad.sql': 'SELECT no_such_column FROM raw\n',
      'connections.yaml': 'connections:\n  books:\n    connector: sqlite\n    path: books.sqlite\n',
      // A TypeScript block whose tables are known only from the queries it sends at run time.
      'pipelines/ledger.yaml': 'blocks:\n  - { name: post, file: blocks/post.ts }\n',
      'blocks/post.ts': [
        "import { defineLoader } from 'sluice';",
        'export default defineLoader(async (_, ctx) => {',
        "  const books = await ctx.connection('books');",
        "  await books.query('CREATE TABLE IF NOT EXISTS prices AS SELECT 1 AS id, 2.5 AS amount');",
        "  await books.query('CREATE TABLE IF NOT EXISTS entries (id integer, amount real)');",
        "  await books.query('INSERT INTO entries SELECT id, amount FROM prices');",
        '  return [{ posted: 1 }];',
        '});',
        '',
      ].join('\n'),
    });
  });
  after(async () => {
    await new Promise((resolve) => receiver.close(resolve));
    cleanup();
  });

  it('sends START and COMPLETE for a run, valid by the spec, with the datasets its blocks read and write', async () => {
    received.length = 0;
    const run = await sluice(dir, ['run', 'orders'], { LINEAGE_KEY: 'k3y-for-lineage' });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.deepEqual(received.map((r) => r.event.eventType), ['START', 'COMPLETE']);
    for (const r of received) assert.deepEqual(r.problems, [], JSON.stringify(r.event));
    const [start, complete] = received.map((r) => r.event) as { run: { runId: string }; job: { namespace: string; name: string }; inputs: unknown[]; outputs: unknown[] }[];
    assert.equal(start!.run.runId, complete!.run.runId, 'one run id for both events');
    assert.deepEqual(complete!.job, { namespace: 'shop', name: 'orders', facets: {} });
    assert.deepEqual(complete!.inputs, [{ namespace: 'file', name: 'data/orders.csv' }]);
    assert.deepEqual(complete!.outputs, [{ namespace: 'shop.warehouse', name: 'order_totals' }]);
    assert.equal(received[0]!.authorization, 'Bearer k3y-for-lineage');
  });

  it('names the tables a TypeScript block was recorded touching: in COMPLETE from this run, in the next START from the last', async () => {
    received.length = 0;
    const first = await sluice(dir, ['run', 'ledger'], { LINEAGE_KEY: 'k3y-for-lineage' });
    assert.equal(first.code, 0, first.stderr + first.stdout);
    const second = await sluice(dir, ['run', 'ledger'], { LINEAGE_KEY: 'k3y-for-lineage' });
    assert.equal(second.code, 0, second.stderr + second.stdout);
    assert.deepEqual(received.map((r) => r.event.eventType), ['START', 'COMPLETE', 'START', 'COMPLETE']);
    for (const r of received) assert.deepEqual(r.problems, [], JSON.stringify(r.event));
    const names = (list: unknown) => (list as { namespace: string; name: string }[]).map((d) => `${d.namespace} ${d.name}`).sort();
    const [start, complete, nextStart] = received.map((r) => r.event);
    // Before its first run, nothing says what the block touches.
    assert.deepEqual([names(start!.inputs), names(start!.outputs)], [[], []]);
    assert.deepEqual(names(complete!.inputs), ['shop.books prices']);
    assert.deepEqual(names(complete!.outputs), ['shop.books entries', 'shop.books prices']);
    assert.deepEqual([names(nextStart!.inputs), names(nextStart!.outputs)], [names(complete!.inputs), names(complete!.outputs)]);
  });

  it('sends FAIL with the error for a failed run', async () => {
    received.length = 0;
    const run = await sluice(dir, ['run', 'broken'], { LINEAGE_KEY: 'k3y-for-lineage' });
    assert.equal(run.code, 1);
    assert.deepEqual(received.map((r) => r.event.eventType), ['START', 'FAIL']);
    for (const r of received) assert.deepEqual(r.problems, []);
    const fail = received[1]!.event as { run: { facets: { errorMessage: { message: string } } } };
    assert.match(fail.run.facets.errorMessage.message, /no_such_column/);
  });

  it('keeps the run going when the endpoint refuses events, and says so in the run log', async () => {
    received.length = 0;
    answer = 503;
    try {
      const run = await sluice(dir, ['run', 'orders'], { LINEAGE_KEY: 'k3y-for-lineage' });
      assert.equal(run.code, 0, run.stderr + run.stdout);
      assert.equal(received.length, 2);
      const logs = await sluice(dir, ['logs', /Run succeeded ([\w-]+)/.exec(run.stdout)![1]!]);
      assert.match(logs.stdout, /the OpenLineage endpoint refused the START event: HTTP 503/);
      assert.doesNotMatch(logs.stdout + run.stdout, /k3y-for-lineage/);
    } finally {
      answer = 200;
    }
  });
});
