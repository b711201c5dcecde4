import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiError, call, endpoint, link, read } from './client.ts';
import { serveProject, type ServedProject } from '../../../test/e2e/api-server.ts';

/**
 * The web UI's client against a real `sluice serve`: the page's fetch is
 * same-origin with a session cookie; here each request goes to the server's
 * address with the project token instead, and is otherwise the client's own.
 */
let served: ServedProject;
const pageFetch = globalThis.fetch;

before(async () => {
  served = await serveProject({});
  globalThis.fetch = (url, init) => {
    const headers = { ...(init?.headers as Record<string, string> | undefined), authorization: `Bearer ${served.token}` };
    return pageFetch(`${served.base}${String(url)}`, { ...init, headers });
  };
});
after(async () => {
  globalThis.fetch = pageFetch;
  await served.close();
});

describe('the web client', () => {
  it('fills a route by name, sends its body and reads its answer', async () => {
    const created = await call('POST /api/pipelines', { body: { name: 'client_orders', description: 'made by the client' } });
    assert.equal(created.file, 'pipelines/client_orders.yaml');
    const { pipeline } = await call('GET /api/pipelines/:name', { params: { name: 'client_orders' } });
    assert.equal(pipeline.name, 'client_orders');
    assert.equal(pipeline.description, 'made by the client');
    const listed = await read(endpoint('GET /api/pipelines'));
    assert.deepEqual(
      listed.pipelines.map((p) => p.name),
      ['client_orders'],
    );
  });

  it('encodes a parameter, so a name with a slash reaches its route and the route answers', async () => {
    const refused = await call('GET /api/pipelines/:name', { params: { name: 'no such/one' } }).catch((error: unknown) => error);
    assert.ok(refused instanceof ApiError, 'a refusal is an ApiError');
    // The route itself answered: an unencoded slash would have matched no route (api.not_found).
    assert.notEqual(refused.code, 'api.not_found');
    assert.match(refused.message, /no such\/one/);
  });

  it('builds links with the query values that are set, encoded', () => {
    assert.equal(link('GET /api/runs/:id/logs/download', { params: { id: 'run 1' }, query: { block: undefined, level: 'warn' } }), '/api/runs/run%201/logs/download?level=warn');
    assert.equal(endpoint('GET /api/run-list', { query: { pipeline: 'a&b', since: '', limit: 5 } }).url, '/api/run-list?pipeline=a%26b&limit=5');
    assert.equal(endpoint('GET /api/health').url, '/api/health');
  });
});

/**
 * Mistakes the client refuses at compile time (`npm run typecheck`); never
 * called. Each `@ts-expect-error` fails the typecheck when the line compiles.
 */
export function refusedAtCompileTime(): void {
  // @ts-expect-error: no such route
  void call('GET /api/pipeline/:name', { params: { name: 'x' } });
  // @ts-expect-error: the route's parameter is missing
  void call('GET /api/runs/:id');
  // @ts-expect-error: the parameter is `id`, not `run`
  void call('GET /api/runs/:id', { params: { run: 'x' } });
  // @ts-expect-error: a body field the route's schema does not take
  void call('POST /api/runs/:id/retry', { params: { id: 'x' }, body: { from: 'block' } });
  // @ts-expect-error: the body the route needs is missing
  void call('POST /api/users', {});
  // @ts-expect-error: a download is opened as a link, never read as JSON
  void call('GET /api/runs/:id/logs/download', { params: { id: 'x' } });
  // @ts-expect-error: a page reads only GET routes
  void endpoint('POST /api/pipelines');
  // @ts-expect-error: the answer of GET /api/runs/:id has no `runs`
  void call('GET /api/runs/:id', { params: { id: 'x' } }).then((answer) => answer.runs);
}
