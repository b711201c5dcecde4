import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteRunStore } from '../core/run-store/sqlite-run-store.ts';
import { createApp, type AppDependencies } from './create-app.ts';
import { hashPassword } from './users/passwords.ts';
import { issueApiKey, removeUser } from './users/user-admin.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-session-auth-'));
fs.writeFileSync(path.join(dir, 'sluice.yaml'), 'name: session_auth\n');
const store = new SqliteRunStore(path.join(dir, '.sluice', 'sluice.db'));
const app = createApp({ root: dir, stateDir: path.join(dir, '.sluice'), store, token: 'project-token', connectors: new Map() } as unknown as AppDependencies);
after(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function signIn(user: string, password: string, cookie?: string): Promise<{ status: number; cookie?: string | undefined }> {
  const response = await app.request('/api/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ user, password }),
  });
  return { status: response.status, cookie: response.headers.getSetCookie().find((c) => c.startsWith('sluice_session='))?.split(';')[0] };
}

const whoAmI = async (cookie: string) => (await (await app.request('/api/session', { headers: { cookie } })).json()) as { authenticated: boolean; user?: string };

describe('browser sessions', () => {
  it('ends the session a browser held when it signs in again, so a copy of the old cookie is worthless', async () => {
    await store.users.addUser({ name: 'ana', role: 'admin', passwordHash: await hashPassword('ana-password-1') });
    await store.users.addUser({ name: 'vic', role: 'viewer', passwordHash: await hashPassword('vic-password-1') });
    const first = await signIn('vic', 'vic-password-1');
    assert.equal(first.status, 200);
    assert.deepEqual(await whoAmI(first.cookie!), { authenticated: true, user: 'vic', role: 'viewer', usersExist: true });
    const second = await signIn('ana', 'ana-password-1', first.cookie);
    assert.equal(second.status, 200);
    assert.notEqual(second.cookie, first.cookie, 'a new session id, never the one the browser brought');
    assert.equal((await whoAmI(first.cookie!)).authenticated, false, 'the earlier session ended on the server');
    assert.equal((await whoAmI(second.cookie!)).user, 'ana');
  });

  it('keeps the earlier session when the new sign-in is refused', async () => {
    const held = await signIn('vic', 'vic-password-1');
    assert.equal((await signIn('ana', 'not-the-password', held.cookie)).status, 401);
    assert.equal((await whoAmI(held.cookie!)).user, 'vic');
  });
});

describe('password guessing', () => {
  it('holds a name after five wrong passwords, even against the right one, and tells no name apart', async () => {
    await store.users.addUser({ name: 'gia', role: 'editor', passwordHash: await hashPassword('gia-password-1') });
    for (let i = 0; i < 5; i++) assert.equal((await signIn('gia', `wrong-${i}-password`)).status, 401);
    const held = await app.request('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'gia', password: 'gia-password-1' }) });
    assert.equal(held.status, 429);
    assert.equal(((await held.json()) as { error: { code: string } }).error.code, 'auth.too_many_attempts');
    assert.ok(Number(held.headers.get('retry-after')) > 0 && Number(held.headers.get('retry-after')) <= 60);
    for (let i = 0; i < 5; i++) assert.equal((await signIn('nobody-here', `wrong-${i}-password`)).status, 401);
    assert.equal((await signIn('nobody-here', 'anything-at-all')).status, 429, 'a name that does not exist is held the same way');
    assert.equal((await signIn('vic', 'vic-password-1')).status, 200, 'other names sign in as before');
  });

  it('forgets the wrong passwords once the right one signs in', async () => {
    for (let i = 0; i < 4; i++) assert.equal((await signIn('vic', `wrong-${i}-password`)).status, 401);
    assert.equal((await signIn('vic', 'vic-password-1')).status, 200);
    for (let i = 0; i < 4; i++) assert.equal((await signIn('vic', `wrong-${i}-password`)).status, 401);
    assert.equal((await signIn('vic', 'vic-password-1')).status, 200, 'four more wrong passwords are not five in a row');
  });
});

describe('a removed user', () => {
  it('loses their API key and its live stream at once, and a new user of the same name inherits neither key nor session', async () => {
    await store.users.addUser({ name: 'bot', role: 'operator', passwordHash: await hashPassword('bot-password-1') });
    const key = await issueApiKey(store, 'bot', { name: 'test' });
    const session = await signIn('bot', 'bot-password-1');
    await store.createRun({ id: 'live-removed', pipeline: 'p', pipelineVersion: 'v', variables: {}, trigger: 'manual', startedAt: new Date().toISOString(), status: 'running' });
    const stream = await app.request('/api/runs/live-removed/events', { headers: { authorization: `Bearer ${key}` } });
    assert.equal(stream.status, 200);
    const reader = stream.body!.getReader();
    let text = '';
    const read = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        text += new TextDecoder().decode(value);
      }
    })();
    await removeUser(store, 'bot', { name: 'test' });
    const removedAt = Date.now();
    await read;
    assert.ok(Date.now() - removedAt < 5000, 'the stream ended within 5 seconds');
    assert.match(text, /event: signed-out/);
    await store.users.addUser({ name: 'bot', role: 'admin', passwordHash: await hashPassword('new-bot-password') });
    assert.equal((await app.request('/api/runs', { headers: { authorization: `Bearer ${key}` } })).status, 401, 'the old key is gone with its user');
    assert.equal((await whoAmI(session.cookie!)).authenticated, false, 'the old session is gone with its user');
  });
});

describe('cookie flags', () => {
  it('sets the session cookie HttpOnly and SameSite=Strict, and Secure behind an HTTPS proxy even on a plain-HTTP request', async () => {
    await store.users.addUser({ name: 'pat', role: 'viewer', passwordHash: await hashPassword('pat-password-1') });
    const behindProxy = createApp({ root: dir, stateDir: path.join(dir, '.sluice'), store, token: 'project-token', connectors: new Map(), secureCookies: true } as unknown as AppDependencies);
    const cookieOf = async (target: typeof app) => {
      const response = await target.request('http://127.0.0.1/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'pat', password: 'pat-password-1' }) });
      assert.equal(response.status, 200);
      return response.headers.getSetCookie().find((c) => c.startsWith('sluice_session='))!;
    };
    const plain = await cookieOf(app);
    assert.match(plain, /; HttpOnly/);
    assert.match(plain, /; SameSite=Strict/);
    assert.doesNotMatch(plain, /; Secure/, 'plain HTTP on its own: a Secure cookie would never come back');
    assert.match(await cookieOf(behindProxy), /; Secure/);
  });
});
