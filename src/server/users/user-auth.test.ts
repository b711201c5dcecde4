import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteRunStore } from '../../core/run-store/sqlite-run-store.ts';
import { waitFor } from '../../testing/wait-for.ts';
import { hashPassword } from './passwords.ts';
import { UserAuth, digest } from './user-auth.ts';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function openStore(): SqliteRunStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-user-auth-'));
  dirs.push(dir);
  return new SqliteRunStore(path.join(dir, 'sluice.db'));
}

describe('UserAuth', () => {
  it('takes the project token as an admin until the first user, then refuses it and its sessions', async () => {
    const store = openStore();
    const auth = new UserAuth(store, 'project-token');
    assert.deepEqual(await auth.fromBearer('project-token'), { kind: 'token', role: 'admin', actor: 'token' });
    assert.equal(await auth.fromBearer('another'), undefined);
    const opened = await auth.signInWithToken('project-token');
    assert.equal((await auth.fromSession(opened!.id))?.role, 'admin');
    await store.users.addUser({ name: 'ana', role: 'admin' });
    assert.equal(await auth.fromBearer('project-token'), undefined);
    assert.equal(await auth.signInWithToken('project-token'), undefined);
    assert.equal(await auth.fromSession(opened!.id), undefined, 'a session begun with the token ends with the first user');
    await store.close();
  });

  it('signs a user in with the right password only, and stores only the session id\'s digest', async () => {
    const store = openStore();
    const auth = new UserAuth(store, 'project-token');
    await store.users.addUser({ name: 'ana', role: 'editor', passwordHash: await hashPassword('correct horse battery') });
    assert.equal(await auth.signIn('ana', 'wrong horse battery'), undefined);
    assert.equal(await auth.signIn('nobody', 'correct horse battery'), undefined);
    const opened = await auth.signIn('ana', 'correct horse battery');
    assert.deepEqual(opened?.principal, { kind: 'session', role: 'editor', user: 'ana', actor: 'user:ana' });
    assert.equal(await store.users.getSession(opened!.id), undefined, 'the raw id is not a key of the store');
    assert.equal((await store.users.getSession(digest(opened!.id)))?.user, 'ana');
    await auth.endSession(opened!.id);
    assert.equal(await auth.fromSession(opened!.id), undefined);
    await store.close();
  });

  it('ends a session at its absolute limit however active it is', async () => {
    const store = openStore();
    const auth = new UserAuth(store, 'project-token', { idleMs: 3_600_000, absoluteMs: 400 });
    const user = await store.users.addUser({ name: 'ana', role: 'viewer' });
    const { id } = await auth.openSession(user);
    assert.equal((await auth.fromSession(id))?.user, 'ana');
    await waitFor(async () => (await auth.fromSession(id)) === undefined, { what: 'the session to reach its absolute limit', timeout: 10_000 });
    assert.equal(await store.users.getSession(digest(id)), undefined, 'an expired session is removed');
    await store.close();
  });

  it('finds or creates an externally verified user, applying the provider\'s role at each sign-in', async () => {
    const store = openStore();
    const auth = new UserAuth(store, 'project-token');
    await store.users.addUser({ name: 'ana', role: 'admin' });
    const first = await auth.signInExternal({ subject: 'https://idp.example|123', email: 'ana@example.com', name: 'ana', role: 'viewer' });
    assert.equal(first.created, true);
    assert.equal(first.user.name, 'ana-2', 'a taken name gets a suffix; the local ana is not taken over');
    assert.equal(first.principal.actor, 'user:ana-2');
    const again = await auth.signInExternal({ subject: 'https://idp.example|123', name: 'ana', role: 'editor' });
    assert.equal(again.created, false);
    assert.equal(again.previousRole, 'viewer', 'the role the claim changed, for the audit log');
    assert.equal((await auth.signInExternal({ subject: 'https://idp.example|123', name: 'ana', role: 'editor' })).previousRole, undefined, 'no change, no previous role');
    assert.equal(again.user.name, 'ana-2');
    assert.equal(again.principal.role, 'editor');
    assert.equal((await store.users.getUser('ana'))?.role, 'admin');
    assert.equal((await auth.fromSession(first.id))?.role, 'editor', 'the earlier session acts with the new role too');
    await store.close();
  });
});
