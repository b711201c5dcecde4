import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqliteRunStore } from '../../src/core/run-store/sqlite-run-store.ts';
import { waitFor } from '../../src/testing/wait-for.ts';
import { serveProject, type ServedProject } from './api-server.ts';
import { asBrowser, follow, signInAs } from './user-helpers.ts';

/** A run that stays `running` (no scheduler reaps it), for a stream that would otherwise never end. */
async function runningRun(s: ServedProject, id: string): Promise<void> {
  const store = new SqliteRunStore(path.join(s.dir, '.sluice/sluice.db'));
  try {
    await store.createRun({ id, pipeline: 'hello', pipelineVersion: 'v', variables: {}, trigger: 'manual', startedAt: new Date().toISOString(), status: 'running' });
  } finally {
    await store.close();
  }
}

describe('users and roles over the real server', () => {
  let s: ServedProject;
  let admin: ReturnType<typeof asBrowser>;

  before(async () => {
    s = await serveProject({
      'pipelines/hello.yaml': 'blocks:\n  - { name: greet, file: blocks/greet.sql }\n',
      'blocks/greet.sql': "SELECT 'hi' AS greeting\n",
      'connections.yaml': 'connections:\n  pg:\n    connector: postgres\n    url: postgres://app:${PG_SECRET}@db.example/app\n',
    });
    const first = await s.json('/api/users', { method: 'POST', body: JSON.stringify({ name: 'ana', role: 'admin', password: 'ana-password-1' }) });
    assert.equal(first.status, 201, 'the project token adds the first admin');
    admin = asBrowser(s, await signInAs(s, 'ana', 'ana-password-1'));
  });
  after(async () => s?.close());

  it('refuses the project token once a user exists, and a wrong password', async () => {
    assert.equal((await s.json('/api/pipelines')).status, 401);
    const wrong = await s.json('/api/session', { method: 'POST', auth: '', body: JSON.stringify({ user: 'ana', password: 'not-it-at-all' }) });
    assert.equal(wrong.status, 401);
    const token = await s.json<{ error: { message: string } }>('/api/session', { method: 'POST', auth: '', body: JSON.stringify({ token: s.token }) });
    assert.equal(token.status, 401);
    assert.match(token.body.error.message, /has users/);
  });

  it('lets an admin add a viewer, who reads but may not run, edit or manage, and sees no secret sources', async () => {
    assert.equal((await admin('/api/users', { method: 'POST', body: JSON.stringify({ name: 'vic', role: 'viewer', password: 'vic-password-1' }) })).status, 201);
    const users = await admin<{ users: Record<string, unknown>[] }>('/api/users');
    assert.deepEqual(users.body.users.map((u) => [u.name, u.role]), [['ana', 'admin'], ['vic', 'viewer']]);
    assert.doesNotMatch(JSON.stringify(users.body), /argon2|password_hash|passwordHash/);
    const vic = asBrowser(s, await signInAs(s, 'vic', 'vic-password-1'));
    assert.deepEqual((await vic('/api/session')).body, { authenticated: true, user: 'vic', role: 'viewer', usersExist: true });
    assert.equal((await vic('/api/pipelines')).status, 200);
    for (const [method, route] of [['POST', '/api/pipelines/hello/runs'], ['PUT', '/api/files'], ['GET', '/api/users'], ['GET', '/api/audit']] as const) {
      const refused = await vic(route, { method, ...(method === 'GET' ? {} : { body: '{}' }) });
      assert.equal(refused.status, 403, `${method} ${route}`);
      assert.equal(refused.body.error?.code, 'auth.forbidden');
    }
    const asViewer = JSON.stringify((await vic('/api/connections')).body);
    const asAdmin = JSON.stringify((await admin('/api/connections')).body);
    assert.match(asAdmin, /PG_SECRET/, 'an admin sees which variable holds the secret');
    assert.doesNotMatch(asViewer, /PG_SECRET/, 'a viewer sees only whether it is set');
    assert.match(asViewer, /"secret":\{"set":false\}/);
  });

  it('gives a user an API key that acts with their role, shown once, and revokes it', async () => {
    await admin('/api/users', { method: 'POST', body: JSON.stringify({ name: 'ci', role: 'operator' }) });
    const issued = await admin<{ key: string }>('/api/users/ci/key', { method: 'POST' });
    assert.equal(issued.status, 201);
    const key = issued.body.key;
    assert.match(key, /^slk_/);
    assert.equal((await s.json('/api/runs', { auth: key })).status, 200);
    const started = await s.json<{ run_id: string }>('/api/pipelines/hello/runs', { method: 'POST', auth: key, body: '{}' });
    assert.equal(started.status, 202, 'an operator runs a pipeline');
    await waitFor(async () => !['queued', 'running'].includes((await s.json<{ run: { status: string } }>(`/api/runs/${started.body.run_id}`, { auth: key })).body.run.status), { what: 'the run to finish', timeout: 60_000 });
    assert.equal((await s.json('/api/files', { method: 'PUT', auth: key, body: '{}' })).status, 403, 'an operator edits no files');
    assert.doesNotMatch(JSON.stringify((await admin('/api/users')).body), new RegExp(key), 'the key is never listed');
    assert.equal((await admin('/api/users/ci/key', { method: 'DELETE' })).status, 200);
    assert.equal((await s.json('/api/runs', { auth: key })).status, 401);
  });

  it('ends a session server-side on sign-out: a copy of the cookie is worthless after', async () => {
    await admin('/api/users', { method: 'POST', body: JSON.stringify({ name: 'out', role: 'viewer', password: 'out-password-1' }) });
    const cookie = await signInAs(s, 'out', 'out-password-1');
    const user = asBrowser(s, cookie);
    assert.equal((await user('/api/runs')).status, 200);
    assert.equal((await user('/api/session', { method: 'DELETE' })).status, 200);
    assert.equal((await user('/api/runs')).status, 401, 'the same cookie, sent again after sign-out');
  });

  it('closes a removed user\'s live stream within 5 seconds and refuses their next request', async () => {
    await runningRun(s, 'live-1');
    await admin('/api/users', { method: 'POST', body: JSON.stringify({ name: 'gone', role: 'viewer', password: 'gone-password-1' }) });
    const cookie = await signInAs(s, 'gone', 'gone-password-1');
    const stream = await follow(s, 'live-1', cookie);
    assert.equal(stream.ended(), false);
    assert.equal((await admin('/api/users/gone', { method: 'DELETE' })).status, 200);
    const removedAt = Date.now();
    await waitFor(() => stream.ended(), { what: 'the stream to close', timeout: 5000 });
    assert.ok(Date.now() - removedAt < 5000);
    assert.match(stream.text(), /event: signed-out/);
    assert.equal((await asBrowser(s, cookie)('/api/runs')).status, 401);
  });

  it('applies a lowered role on the next request and closes the live stream', async () => {
    await runningRun(s, 'live-2');
    await admin('/api/users', { method: 'POST', body: JSON.stringify({ name: 'ed', role: 'editor', password: 'ed-password-1' }) });
    const cookie = await signInAs(s, 'ed', 'ed-password-1');
    const ed = asBrowser(s, cookie);
    const stream = await follow(s, 'live-2', cookie);
    assert.equal((await ed('/api/files', { method: 'PUT', body: JSON.stringify({ path: 'blocks/greet.sql', content: "SELECT 'yo' AS greeting\n" }) })).status, 200);
    assert.equal((await admin('/api/users/ed', { method: 'PATCH', body: JSON.stringify({ role: 'viewer' }) })).status, 200);
    const loweredAt = Date.now();
    const refused = await ed('/api/files', { method: 'PUT', body: JSON.stringify({ path: 'blocks/greet.sql', content: "SELECT 'no' AS greeting\n" }) });
    assert.equal(refused.status, 403);
    await waitFor(() => stream.ended(), { what: 'the stream to close', timeout: 5000 });
    assert.ok(Date.now() - loweredAt < 5000);
  });

  it('refuses to remove or demote the last admin', async () => {
    const removed = await admin('/api/users/ana', { method: 'DELETE' });
    assert.equal(removed.status, 409);
    assert.equal(removed.body.error?.code, 'user.last_admin');
    assert.equal((await admin('/api/users/ana', { method: 'PATCH', body: JSON.stringify({ role: 'viewer' }) })).status, 409);
  });

  it('records user and role changes with the real actor, and runs and edits as the user', async () => {
    const { body } = await admin<{ entries: { actor: string; action: string; target: string; detail: Record<string, unknown> }[] }>('/api/audit?limit=100');
    const seen = body.entries.map((e) => `${e.actor} ${e.action} ${e.target}`);
    for (const line of ['token user.add ana', 'user:ana user.add vic', 'user:ana user.key_issue ci', 'key:ci run.start hello/', 'user:ana user.key_revoke ci', 'user:ana user.remove gone', 'user:ana user.role ed', 'user:ed file.edit blocks/greet.sql', 'user:vic session.start']) {
      assert.ok(seen.some((s) => s.startsWith(line)), `${line} in ${seen.join('\n')}`);
    }
    const role = body.entries.find((e) => e.action === 'user.role')!;
    assert.deepEqual(role.detail, { from: 'editor', to: 'viewer' });
    assert.doesNotMatch(JSON.stringify(body), /password-1|argon2/);
  });
});

describe('session expiry', () => {
  let s: ServedProject;
  before(async () => {
    s = await serveProject({ 'sluice.yaml': 'name: expiry\nauth:\n  sessions:\n    idle: 1500ms\n    absolute: 1h\n' });
    await s.json('/api/users', { method: 'POST', body: JSON.stringify({ name: 'ana', role: 'admin', password: 'ana-password-1' }) });
  });
  after(async () => s?.close());

  it('ends a session left idle longer than auth.sessions.idle', async () => {
    const cookie = await signInAs(s, 'ana', 'ana-password-1');
    const session = asBrowser(s, cookie);
    assert.equal((await session<{ authenticated: boolean }>('/api/session')).body.authenticated, true);
    // Asking whether one is signed in is no activity, so the idle limit passes while this waits.
    await waitFor(async () => !(await session<{ authenticated: boolean }>('/api/session')).body.authenticated, { what: 'the idle session to expire', timeout: 20_000 });
    assert.equal((await session('/api/runs')).status, 401);
  });
});
