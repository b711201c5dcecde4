import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serveProject, type ServedProject } from './api-server.ts';

describe('sluice serve: sign-in, headers and the file API refuse what they must', () => {
  let s: ServedProject;
  const outside = path.join(os.tmpdir(), `sluice-outside-${process.pid}`);

  before(async () => {
    s = await serveProject({
      'pipelines/hello.yaml': 'blocks:\n  - { name: greet, file: blocks/greet.sql }\n',
      'blocks/greet.sql': "SELECT 'hi' AS greeting\n",
    });
    mkdirSync(outside, { recursive: true });
    writeFileSync(path.join(outside, 'secret.txt'), 'outside the project\n');
    symlinkSync(outside, path.join(s.dir, 'escape'));
    symlinkSync(path.join(outside, 'secret.txt'), path.join(s.dir, 'blocks/linked.sql'));
  });
  after(async () => {
    await s.close();
    rmSync(outside, { recursive: true, force: true });
  });

  const routes: [string, string][] = [
    ['GET', '/api/pipelines'],
    ['POST', '/api/pipelines'],
    ['GET', '/api/pipelines/hello'],
    ['DELETE', '/api/pipelines/hello'],
    ['GET', '/api/block-templates'],
    ['GET', '/api/connectors'],
    ['POST', '/api/pipelines/hello/blocks'],
    ['PATCH', '/api/pipelines/hello/blocks/greet'],
    ['DELETE', '/api/pipelines/hello/blocks/greet'],
    ['GET', '/api/files?path=blocks/greet.sql'],
    ['PUT', '/api/files'],
    ['GET', '/api/files/list'],
    ['GET', '/api/search?q=hello'],
    ['POST', '/api/pipelines/hello/runs'],
    ['GET', '/api/runs'],
    ['GET', '/api/runs/x'],
    ['GET', '/api/runs/x/logs'],
    ['GET', '/api/runs/x/events'],
    ['GET', '/api/runs/x/blocks/greet/output'],
    ['GET', '/api/runs/x/blocks/greet/stats'],
    ['POST', '/api/runs/x/retry'],
    ['POST', '/api/runs/x/cancel'],
    ['POST', '/api/pipelines/hello/backfills'],
    ['GET', '/api/pipelines/hello/triggers'],
    ['PUT', '/api/pipelines/hello/triggers'],
    ['GET', '/api/connections'],
    ['POST', '/api/connections'],
    ['PUT', '/api/connections/pg'],
    ['DELETE', '/api/connections/pg'],
    ['POST', '/api/connections/pg/test'],
    ['GET', '/api/git/status'],
    ['GET', '/api/git/diff'],
    ['POST', '/api/git/commit'],
    ['POST', '/api/git/branches'],
    ['GET', '/api/audit'],
    ['DELETE', '/api/session'],
  ];

  it('answers 401 on every route without a token or session, and with a wrong token', async () => {
    for (const [method, route] of routes.filter(([, r]) => r !== '/api/session')) {
      for (const auth of ['', 'not-the-token']) {
        const { status, body } = await s.json<{ error: { code: string } }>(route, { method, auth, ...(method === 'GET' ? {} : { body: '{}' }) });
        assert.equal(status, 401, `${method} ${route} with ${auth ? 'a wrong token' : 'nothing'}`);
        assert.equal(body.error.code, 'auth.required');
      }
    }
    const files = await s.api('/api/files?path=blocks/greet.sql', { auth: '' });
    assert.doesNotMatch(await files.text(), /SELECT/);
  });

  it('answers health and the session state without signing in', async () => {
    assert.deepEqual((await s.json('/api/health', { auth: '' })).body, { ok: true });
    assert.deepEqual((await s.json('/api/session', { auth: '' })).body, { authenticated: false, usersExist: false });
  });

  it('signs a browser in with an HttpOnly SameSite=Strict cookie, and checks the Origin of its changes', async () => {
    const wrong = await s.json('/api/session', { method: 'POST', auth: '', body: JSON.stringify({ token: 'nope' }) });
    assert.equal(wrong.status, 401);
    const login = await s.api('/api/session', { method: 'POST', auth: '', headers: { origin: s.base }, body: JSON.stringify({ token: s.token }) });
    assert.equal(login.status, 200);
    const cookie = login.headers.get('set-cookie') ?? '';
    assert.match(cookie, /sluice_session=[A-Za-z0-9_-]{40,}/);
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Strict/i);
    assert.doesNotMatch(cookie, new RegExp(s.token), 'the cookie is a session id, not the token');
    const session = cookie.split(';')[0]!;
    const asBrowser = (route: string, init: RequestInit = {}, origin?: string) =>
      s.json<{ error?: { code: string } }>(route, { ...init, auth: '', headers: { cookie: session, ...(origin ? { origin } : {}) } });

    assert.deepEqual((await asBrowser('/api/session')).body, { authenticated: true, role: 'admin', usersExist: false });
    assert.equal((await asBrowser('/api/pipelines')).status, 200);
    const foreign = await asBrowser('/api/pipelines', { method: 'POST', body: JSON.stringify({ name: 'evil' }) }, 'https://evil.example');
    assert.equal(foreign.status, 403);
    assert.equal(foreign.body.error?.code, 'auth.bad_origin');
    assert.equal((await asBrowser('/api/pipelines', { method: 'POST', body: JSON.stringify({ name: 'evil' }) })).status, 403, 'no Origin at all is refused too');
    const own = await asBrowser('/api/pipelines', { method: 'POST', body: JSON.stringify({ name: 'mine' }) }, s.base);
    assert.equal(own.status, 201);
    const events = await s.api('/api/runs/none/events', { auth: '', headers: { cookie: session } });
    assert.equal(events.status, 404, 'the event stream takes the session (and the run is unknown)');
    await events.body?.cancel();

    assert.equal((await asBrowser('/api/session', { method: 'DELETE' }, s.base)).status, 200);
    assert.equal((await asBrowser('/api/pipelines')).status, 401, 'signed out');
  });

  it('sends a Content-Security-Policy, nosniff and no-referrer on every answer, and JSON for unknown API routes', async () => {
    for (const route of ['/api/health', '/api/pipelines', '/', '/runs/some-page', '/api/nope']) {
      const r = await s.api(route);
      const csp = r.headers.get('content-security-policy') ?? '';
      for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"]) {
        assert.ok(csp.includes(directive), `${route}: ${directive}`);
      }
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
      await r.arrayBuffer();
    }
    for (const route of ['/api/nope', '/api', '/api/runs/x/nope/deeper']) {
      const unknown = await s.api(route);
      assert.equal(unknown.status, 404, route);
      assert.match(unknown.headers.get('content-type') ?? '', /application\/json/, route);
      await unknown.arrayBuffer();
    }
    const page = await s.api('/pipelines/hello', { auth: '' });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  });

  it('refuses path traversal, encoded dots, absolute paths, private folders and symlinks that leave the project with 403', async () => {
    const attempts = [
      '../x',
      'blocks/../../x',
      '%2e%2e/x',
      '%2e%2e%2fx',
      '..%2fx',
      '/etc/passwd',
      'escape/secret.txt',
      'blocks/linked.sql',
      '.sluice/api-token',
      '.git/config',
      'blocks/a\0b',
    ];
    for (const attempt of attempts) {
      const read = await s.json<{ error: { code: string } }>(`/api/files?path=${encodeURIComponent(attempt)}`);
      assert.equal(read.status, 403, `GET ${attempt}`);
      assert.equal(read.body.error.code, 'files.outside_project');
      const write = await s.json<{ error: { code: string } }>('/api/files', { method: 'PUT', body: JSON.stringify({ path: attempt, content: 'x' }) });
      assert.equal(write.status, 403, `PUT ${attempt}`);
    }
    const raw = await s.json(`/api/files?path=%2e%2e/x`);
    assert.equal(raw.status, 403, 'encoded once on the wire');
    const write = await s.json('/api/files', { method: 'PUT', body: JSON.stringify({ path: 'escape/new.txt', content: 'x' }) });
    assert.equal(write.status, 403, 'a new file under a symlink that leaves the project');
  });

  it('reads and writes project files inside the project', async () => {
    const read = await s.json<{ path: string; content: string; language: string }>('/api/files?path=blocks/greet.sql');
    assert.deepEqual(read.body, { path: 'blocks/greet.sql', content: "SELECT 'hi' AS greeting\n", language: 'sql' });
    const write = await s.json('/api/files', { method: 'PUT', body: JSON.stringify({ path: 'blocks/new/clean.sql', content: 'SELECT 1 AS one\n' }) });
    assert.equal(write.status, 200);
    assert.equal((await s.json<{ content: string }>('/api/files?path=blocks/new/clean.sql')).body.content, 'SELECT 1 AS one\n');
    assert.equal((await s.json('/api/files?path=blocks/missing.sql')).status, 404);
    const huge = await s.json<{ error: { code: string } }>('/api/files', { method: 'PUT', body: JSON.stringify({ path: 'blocks/huge.sql', content: 'x'.repeat(5 * 1024 * 1024) }) });
    assert.equal(huge.status, 413);
  });
});
