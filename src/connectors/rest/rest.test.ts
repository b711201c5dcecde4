import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ConnectorConnection, ConnectorContext, ReadResult } from '../../core/connectors/connector.ts';
import type { DataPlane, DataPlaneSession, Row } from '../../core/data-plane/data-plane.ts';
import { createDuckDbDataPlane } from '../../core/data-plane/duckdb-data-plane.ts';
import { SluiceError } from '../../core/errors.ts';
import { classifyAddress } from './rest-address-guard.ts';
import { retryAfter } from './rest-client.ts';
import { connectRest } from './rest-connection.ts';
import { nextFromLinkHeader } from './rest-pagination.ts';
import { restConnector, type RestReadSettings } from './index.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

interface Seen {
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly at: number;
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const routes = new Map<string, Handler>();
const seen: Seen[] = [];

let server: Server;
let base: string;
let dir: string;
let plane: DataPlane;
let session: DataPlaneSession;
let counter = 0;

before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    seen.push({ url, headers: req.headers, at: performance.now() });
    const handler = routes.get(url.pathname);
    if (!handler) return send(res, 404, 'application/json', '{"error":"no route"}');
    handler(req, res, url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-rest-test-'));
  plane = await createDuckDbDataPlane({ tempDir: path.join(dir, 'spill') });
  session = await plane.openSession();
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await session?.close();
  await plane?.close();
  await rm(dir, { recursive: true, force: true });
});

function send(res: ServerResponse, status: number, type: string | undefined, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...(type ? { 'content-type': type } : {}), ...headers });
  res.end(body);
}

const json = (res: ServerResponse, body: unknown, headers: Record<string, string> = {}): void => send(res, 200, 'application/json', JSON.stringify(body), headers);

/** Requests the server saw for a path. */
const requestsTo = (pathname: string): Seen[] => seen.filter((s) => s.url.pathname === pathname);

function context(signal = new AbortController().signal): ConnectorContext {
  return { projectRoot: dir, tempDir: path.join(dir, 'tmp'), session, logger: silent, signal, block: 'api_block' };
}

async function connect(settings: Record<string, unknown> = {}): Promise<ConnectorConnection<RestReadSettings, never>> {
  const parsed = restConnector.connectionSchema.parse({ base_url: base, allow_private: true, ...settings });
  return connectRest(parsed, { name: 'vendor_api' }, { backoffMs: 20 });
}

/** Reads through the connector and returns the stored rows (ordered by the first column) and column types. */
async function read(
  settings: Record<string, unknown>,
  connection?: ConnectorConnection<RestReadSettings, never>,
  signal?: AbortSignal,
): Promise<{ result: ReadResult; rows: Row[]; types: Record<string, string> }> {
  const conn = connection ?? (await connect());
  const name = `output_${++counter}`;
  const result = await conn.read!({ settings: restConnector.readSchema.parse(settings), location: path.join(dir, `${name}.parquet`) }, context(signal));
  await session.attach(name, result.output);
  const rows = await session.query(`SELECT * FROM ${name} ORDER BY 1`);
  return { result, rows, types: Object.fromEntries(result.output.columns.map((c) => [c.name, c.type])) };
}

async function rejects(work: Promise<unknown>, code: string): Promise<SluiceError> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof SluiceError, `expected a SluiceError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

const people = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ id: from + i, name: `person ${from + i}` }));

describe('pagination', () => {
  it('reads page by page until an empty page, with the page size sent', async () => {
    routes.set('/paged', (_req, res, url) => {
      const page = Number(url.searchParams.get('page'));
      json(res, { data: { items: page <= 3 ? people(page * 10, page * 10 + 2) : [] } });
    });
    const { result, rows } = await read({ path: '/paged', record_path: 'data.items', pagination: { type: 'page', param: 'page', start: 1, size_param: 'per_page', size: 2 } });
    assert.deepEqual(rows.map((r) => Number(r.id)), [10, 11, 20, 21, 30, 31]);
    assert.equal(result.summary, 'read 6 records from GET /paged (4 pages)');
    assert.deepEqual(requestsTo('/paged').map((s) => s.url.searchParams.get('per_page')), ['2', '2', '2', '2']);
  });

  it('advances an offset by the records each page held', async () => {
    const all = people(0, 7);
    routes.set('/offset', (_req, res, url) => {
      const offset = Number(url.searchParams.get('skip'));
      // The server caps pages at 3 whatever the limit asked for.
      json(res, all.slice(offset, offset + Math.min(3, Number(url.searchParams.get('take')))));
    });
    const { rows, result } = await read({ path: 'offset', pagination: { type: 'offset', param: 'skip', limit_param: 'take', limit: 5 } });
    assert.deepEqual(rows.map((r) => Number(r.id)), [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(requestsTo('/offset').map((s) => s.url.searchParams.get('skip')), ['0', '3', '6', '7']);
    assert.equal(result.rowsIn, 7);
  });

  it('follows a cursor from the body until there is none', async () => {
    routes.set('/cursor', (_req, res, url) => {
      const cursor = url.searchParams.get('after');
      if (!cursor) return json(res, { results: people(0, 2), meta: { next_cursor: 'c2' } });
      if (cursor === 'c2') return json(res, { results: people(2, 4), meta: { next_cursor: 'c3' } });
      json(res, { results: people(4, 5), meta: { next_cursor: null } });
    });
    const { rows, result } = await read({ path: 'cursor', params: { sort: 'id' }, record_path: 'results', pagination: { type: 'cursor', param: 'after', cursor_path: 'meta.next_cursor' } });
    assert.equal(rows.length, 5);
    assert.equal(result.summary, 'read 5 records from GET /cursor (3 pages)');
    assert.ok(requestsTo('/cursor').every((s) => s.url.searchParams.get('sort') === 'id'));
  });

  it('follows next links in the body, relative or absolute', async () => {
    routes.set('/linked', (_req, res, url) => {
      const page = Number(url.searchParams.get('p') ?? 1);
      const next = page === 1 ? '/linked?p=2' : page === 2 ? `${base}/linked?p=3` : null;
      json(res, { items: people(page * 10, page * 10 + 1), links: { next } });
    });
    const { rows } = await read({ path: 'linked', record_path: 'items', pagination: { type: 'next_link', next_path: 'links.next' } });
    assert.deepEqual(rows.map((r) => Number(r.id)), [10, 20, 30]);
  });

  it('follows rel="next" in the Link header', async () => {
    routes.set('/link-header', (_req, res, url) => {
      const page = Number(url.searchParams.get('page') ?? 1);
      const link = page < 3 ? `<${base}/link-header?page=${page + 1}>; rel="next", <${base}/link-header?page=3>; rel="last"` : `<${base}/link-header?page=1>; rel="first"`;
      json(res, people(page, page + 1), { link });
    });
    const { rows, result } = await read({ path: 'link-header', pagination: { type: 'link_header' } });
    assert.deepEqual(rows.map((r) => Number(r.id)), [1, 2, 3]);
    assert.match(result.summary!, /\(3 pages\)$/);
  });

  it('ends cleanly at an empty page in the middle', async () => {
    routes.set('/gap', (_req, res, url) => {
      const page = Number(url.searchParams.get('page'));
      json(res, { data: page === 2 ? [] : people(page, page + 1) });
    });
    const { rows, result } = await read({ path: 'gap', record_path: 'data', pagination: { type: 'page' } });
    assert.deepEqual(rows.map((r) => Number(r.id)), [1]);
    assert.equal(result.summary, 'read 1 records from GET /gap (2 pages)');
    assert.equal(requestsTo('/gap').length, 2);
  });

  it('stops at max_pages', async () => {
    routes.set('/endless', (_req, res, url) => json(res, people(Number(url.searchParams.get('page')), Number(url.searchParams.get('page')) + 1)));
    const { rows } = await read({ path: 'endless', pagination: { type: 'page' }, max_pages: 3 });
    assert.equal(rows.length, 3);
  });

  it('parses the Link header of RFC 8288', () => {
    assert.equal(nextFromLinkHeader('<https://a.example/x?page=2>; rel="next"'), 'https://a.example/x?page=2');
    assert.equal(nextFromLinkHeader('<https://a.example/1>; rel="prev", <https://a.example/3>; title="n"; rel="last next"'), 'https://a.example/3');
    assert.equal(nextFromLinkHeader('<https://a.example/1>; rel=prev'), undefined);
    assert.equal(nextFromLinkHeader(null), undefined);
  });
});

describe('formats', () => {
  const xmlPage = (ids: number[]) =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<response><data><items>${ids
      .map((id) => `<item id="${id}"><name>person ${id}</name><address><city>Paris</city></address><tags><tag>a</tag><tag>b</tag></tags></item>`)
      .join('')}</items></data></response>`;

  it('reads XML with a record_path that walks the XML tree, one element as one record', async () => {
    routes.set('/xml', (_req, res, url) => {
      const page = Number(url.searchParams.get('page'));
      send(res, 200, 'application/xml; charset=utf-8', page === 1 ? xmlPage([1, 2]) : page === 2 ? xmlPage([3]) : '<response><data><items/></data></response>');
    });
    const { rows, types, result } = await read({ path: 'xml', record_path: 'data.items', pagination: { type: 'page' } });
    assert.equal(result.rowsIn, 3);
    assert.deepEqual(rows.map((r) => r.name), ['person 1', 'person 2', 'person 3']);
    assert.equal(types['@id'], 'VARCHAR');
    assert.equal(types.address, 'JSON');
    assert.deepEqual(JSON.parse(String(rows[0]!.tags)), { tag: ['a', 'b'] });
  });

  /** A vendor that flips formats between calls: the same records as JSON `{ items: [...] }` or XML `<response><items><item>`. */
  function switching(route: string, records: (page: number) => Record<string, unknown>[]): void {
    let calls = 0;
    routes.set(route, (_req, res, url) => {
      const page = Number(url.searchParams.get('page'));
      const list = page > 2 ? [] : records(page);
      if (++calls % 2 === 0) {
        const xml = list.map((r) => `<item>${Object.entries(r).map(([k, v]) => `<${k}>${String(v)}</${k}>`).join('')}</item>`).join('');
        return send(res, 200, 'text/xml', `<?xml version="1.0"?><response><items>${xml}</items></response>`);
      }
      json(res, { items: list });
    });
  }

  it('reads an endpoint that alternates JSON and XML with one record_path and one schema, given the types', async () => {
    switching('/switching', (page) => [{ id: page, name: `n${page}` }]);
    const settings = { path: 'switching', record_path: 'items', pagination: { type: 'page' }, columns: { id: 'BIGINT' } };
    const first = await read(settings);
    const second = await read(settings);
    assert.deepEqual(first.rows, [{ id: 1n, name: 'n1' }, { id: 2n, name: 'n2' }]);
    assert.deepEqual(second.rows, first.rows);
    assert.deepEqual(second.types, first.types);
  });

  it('gives the same records the same schema as JSON or as XML: XML text is never read as a number', async () => {
    const records = [{ sku: '00123', price: '12.50', big: '12345678901234567890123' }];
    routes.set('/as-json', (_req, res) => json(res, { items: records }));
    routes.set('/as-xml', (_req, res) => send(res, 200, 'application/xml', `<r><items>${records.map((r) => `<item><sku>${r.sku}</sku><price>${r.price}</price><big>${r.big}</big></item>`).join('')}</items></r>`));
    const fromJson = await read({ path: 'as-json', record_path: 'items' });
    const fromXml = await read({ path: 'as-xml', record_path: 'items' });
    assert.deepEqual(fromXml.types, fromJson.types);
    assert.deepEqual(fromXml.rows, fromJson.rows);
    assert.deepEqual(fromXml.rows, [{ sku: '00123', price: '12.50', big: '12345678901234567890123' }]);
  });

  it('refuses a column that comes typed in JSON and as text in XML, and says to declare its type', async () => {
    switching('/switching-untyped', (page) => [{ id: page, name: `n${page}` }]);
    const error = await rejects(read({ path: 'switching-untyped', record_path: 'items', pagination: { type: 'page' } }), 'rest.format_types');
    assert.match(error.message, /column 'id' came as number in the JSON of .*page 1.* and as string in the XML of .*page 2.*declare the type in the block's columns/);
  });

  it('refuses a record_path that counts the XML root element, saying what to write', async () => {
    routes.set('/rooted', (_req, res) => send(res, 200, 'application/xml', '<response><data><item><id>1</id></item></data></response>'));
    const error = await rejects(read({ path: 'rooted', record_path: 'response.data' }), 'rest.bad_record_path');
    assert.match(error.message, /the root is the document and does not count.*write 'data'/);
  });

  it('keeps nested objects and arrays as JSON columns', async () => {
    routes.set('/nested', (_req, res) => json(res, [{ id: 1, customer: { name: 'Ada', tags: ['vip'] }, lines: [{ sku: 'a', qty: 2 }] }, { id: 2, customer: null, lines: [] }]));
    const { rows, types } = await read({ path: 'nested' });
    assert.equal(types.customer, 'JSON');
    assert.equal(types.lines, 'JSON');
    assert.deepEqual(JSON.parse(String(rows[0]!.customer)), { name: 'Ada', tags: ['vip'] });
    assert.equal(rows[1]!.customer, null);
  });

  it('rejects an HTML login page answered with 200, naming the connection, request and content type', async () => {
    routes.set('/login-wall', (_req, res) => send(res, 200, 'text/html; charset=utf-8', '<!DOCTYPE html><html><body><form>Sign in</form></body></html>'));
    const error = await rejects(read({ path: 'login-wall', params: { q: 'x' } }), 'rest.unexpected_content');
    assert.match(error.message, /'vendor_api'/);
    assert.match(error.message, /\/login-wall\?q=x/);
    assert.match(error.message, /text\/html/);
  });

  it('rejects HTML even when it is labelled as JSON', async () => {
    routes.set('/mislabelled', (_req, res) => send(res, 200, 'application/json', '\n<html><head><title>Login</title></head></html>'));
    await rejects(read({ path: 'mislabelled' }), 'rest.unexpected_content');
  });

  it('rejects truncated JSON, naming the request and page', async () => {
    routes.set('/truncated', (_req, res, url) => {
      if (url.searchParams.get('page') === '1') return json(res, people(0, 2));
      send(res, 200, 'application/json', '[{"id": 3, "name": "per');
    });
    const error = await rejects(read({ path: 'truncated', pagination: { type: 'page' } }), 'rest.invalid_json');
    assert.match(error.message, /GET http:\/\/127\.0\.0\.1:\d+\/truncated\?page=2 \(page 2\)/);
    assert.match(error.message, /truncated/);
  });

  it('fails clearly when record_path does not match the body', async () => {
    routes.set('/error-body', (_req, res) => json(res, { error: 'quota exceeded' }));
    const error = await rejects(read({ path: 'error-body', record_path: 'data.items' }), 'rest.bad_record_path');
    assert.match(error.message, /top-level keys: error/);
  });
});

describe('retries', () => {
  it('waits for Retry-After in seconds on 429, then succeeds', async () => {
    let calls = 0;
    routes.set('/throttled', (_req, res) => (++calls === 1 ? send(res, 429, 'text/plain', 'slow down', { 'retry-after': '1' }) : json(res, people(0, 1))));
    const started = performance.now();
    const { rows } = await read({ path: 'throttled' });
    assert.equal(rows.length, 1);
    assert.ok(performance.now() - started >= 950, 'waited about a second');
  });

  it('waits for Retry-After as an HTTP date on 429, then succeeds', async () => {
    let calls = 0;
    routes.set('/throttled-date', (_req, res) => {
      if (++calls > 1) return json(res, people(0, 1));
      send(res, 429, 'application/json', '{}', { 'retry-after': new Date(Date.now() + 2000).toUTCString() });
    });
    const started = performance.now();
    const { rows } = await read({ path: 'throttled-date' });
    assert.equal(rows.length, 1);
    // HTTP dates have whole seconds: the wait is between 1 and 2 seconds.
    assert.ok(performance.now() - started >= 900);
    assert.equal(retryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:58 GMT')), 2000);
  });

  it('retries a 500 with backoff, then succeeds', async () => {
    let calls = 0;
    routes.set('/flaky', (_req, res) => (++calls <= 2 ? send(res, 500, 'text/plain', 'oops') : json(res, people(0, 2))));
    const { rows } = await read({ path: 'flaky' });
    assert.equal(rows.length, 2);
    assert.equal(requestsTo('/flaky').length, 3);
  });

  it('gives up after the retries, with a retryable error', async () => {
    routes.set('/down', (_req, res) => send(res, 503, 'text/plain', 'maintenance'));
    const error = await rejects(read({ path: 'down' }, await connect({ retries: 1 })), 'rest.request_failed');
    assert.equal(error.retryable, true);
    assert.match(error.message, /503/);
    assert.equal(requestsTo('/down').length, 2);
  });

  it('does not retry a 401 and says the credentials were refused, without the token', async () => {
    routes.set('/private', (_req, res) => send(res, 401, 'application/json', '{"error":"bad token sk-live-abcdef123456"}'));
    const error = await rejects(read({ path: 'private' }, await connect({ auth: { bearer: 'sk-live-abcdef123456' } })), 'rest.auth_refused');
    assert.equal(error.retryable, false);
    assert.match(error.message, /credentials/);
    assert.doesNotMatch(error.message, /abcdef123456/);
    assert.equal(requestsTo('/private').length, 1);
  });

  it('does not retry a 404', async () => {
    routes.set('/gone', (_req, res) => send(res, 404, 'application/json', '{"error":"not found"}'));
    const error = await rejects(read({ path: 'gone' }), 'rest.http_error');
    assert.equal(requestsTo('/gone').length, 1);
    assert.match(error.message, /404 Not Found: \{"error":"not found"\}/);
  });
});

describe('auth and secrets', () => {
  routes.set('/whoami', (req, res) => json(res, [{ auth: req.headers.authorization ?? null, key: req.headers['x-api-key'] ?? null, custom: req.headers['x-team'] ?? null }]));

  it('sends a bearer token and the connection headers', async () => {
    const { rows } = await read({ path: 'whoami' }, await connect({ auth: { bearer: 'tok-bearer-9876' }, headers: { 'X-Team': 'data' } }));
    assert.deepEqual(rows, [{ auth: 'Bearer tok-bearer-9876', key: null, custom: 'data' }]);
  });

  it('sends basic credentials', async () => {
    const { rows } = await read({ path: 'whoami' }, await connect({ auth: { basic: { user: 'ada', password: 'pw-secret-42' } } }));
    assert.equal(rows[0]!.auth, `Basic ${Buffer.from('ada:pw-secret-42').toString('base64')}`);
  });

  it('sends an API key as a header', async () => {
    const { rows } = await read({ path: 'whoami' }, await connect({ auth: { api_key: { name: 'X-Api-Key', value: 'key-header-5555', in: 'header' } } }));
    assert.equal(rows[0]!.key, 'key-header-5555');
  });

  it('sends an API key in the query on every page, and masks secret query values in messages', async () => {
    routes.set('/keyed', (_req, res, url) => {
      if (url.searchParams.get('apikey') !== 'q-secret-7777') return send(res, 401, 'text/plain', 'no');
      const page = Number(url.searchParams.get('page'));
      if (page === 3) return send(res, 200, 'text/html', '<html>maintenance</html>');
      json(res, people(page, page + 1));
    });
    const connection = await connect({ auth: { api_key: { name: 'apikey', value: 'q-secret-7777', in: 'query' } } });
    const error = await rejects(read({ path: 'keyed', params: { access_token: 'param-token-1234' }, pagination: { type: 'page' } }, connection), 'rest.unexpected_content');
    assert.equal(requestsTo('/keyed').length, 3);
    assert.doesNotMatch(error.message, /q-secret-7777|param-token-1234/);
    assert.match(error.message, /access_token=\*\*\*&page=3 \(page 3\)/);
  });
  it('follows a redirect to another origin without the credentials', async () => {
    routes.set('/moved', (_req, res) => send(res, 302, undefined, '', { location: `${base.replace('127.0.0.1', 'localhost')}/whoami` }));
    const { rows } = await read({ path: 'moved' }, await connect({ auth: { bearer: 'tok-redirect-3333' } }));
    assert.deepEqual(rows, [{ auth: null, key: null, custom: null }]);
  });
});

describe('addresses', () => {
  it('refuses a loopback host unless allow_private is set, before any request', async () => {
    routes.set('/internal', (_req, res) => json(res, people(0, 1)));
    const connection = await connectRest(restConnector.connectionSchema.parse({ base_url: base }), { name: 'vendor_api' });
    const error = await rejects(read({ path: 'internal' }, connection), 'rest.address_refused');
    assert.match(error.message, /127\.0\.0\.1/);
    assert.match(error.message, /allow_private/);
    assert.equal(requestsTo('/internal').length, 0);
    const named = await connectRest(restConnector.connectionSchema.parse({ base_url: base.replace('127.0.0.1', 'localhost') }), { name: 'vendor_api' });
    await rejects(read({ path: 'internal' }, named), 'rest.address_refused');
  });

  it('classifies link-local, metadata, private and public addresses', () => {
    assert.equal(classifyAddress('169.254.169.254'), 'link-local');
    assert.equal(classifyAddress('fe80::1'), 'link-local');
    assert.equal(classifyAddress('fd00:ec2::254'), 'link-local');
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.31.255.1', '192.168.0.10', '::1', 'fd12::1', '::ffff:10.0.0.1', '::ffff:7f00:1']) assert.equal(classifyAddress(ip), 'private', ip);
    for (const ip of ['8.8.8.8', '172.32.0.1', '2606:4700::1111']) assert.equal(classifyAddress(ip), 'public', ip);
  });
});

describe('limits', () => {
  it('spaces requests to the rate limit across pages', async () => {
    routes.set('/limited', (_req, res, url) => {
      const page = Number(url.searchParams.get('page'));
      json(res, page <= 4 ? people(page, page + 1) : []);
    });
    const connection = await connect({ rate_limit: 10 });
    const started = performance.now();
    await read({ path: 'limited', pagination: { type: 'page' } }, connection);
    const elapsed = performance.now() - started;
    assert.equal(requestsTo('/limited').length, 5);
    // Arrival times jitter (the first request also opens the connection); the fifth start cannot come before 4 gaps of 100ms.
    assert.ok(elapsed >= 400, `5 requests at 10/s took only ${elapsed.toFixed(0)}ms`);
  });

  it('aborts an in-flight request when the block is cancelled', async () => {
    const controller = new AbortController();
    // Cancelled once the server holds the request; were the cancel ignored, the read would get its answer a minute later and succeed.
    routes.set('/slow', (_req, res) => {
      controller.abort(new Error('cancelled by test'));
      setTimeout(() => json(res, []), 60_000).unref();
    });
    await rejects(read({ path: 'slow' }, undefined, controller.signal), 'rest.cancelled');
  });

  it('times out a request and retries it', async () => {
    let calls = 0;
    routes.set('/stalls', (_req, res) => (++calls === 1 ? setTimeout(() => json(res, []), 3000).unref() : json(res, people(0, 1))));
    const { rows } = await read({ path: 'stalls' }, await connect({ timeout: '200ms' }));
    assert.equal(rows.length, 1);
  });
});
