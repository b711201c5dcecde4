import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunStore } from './run-store.ts';

/** The users part of the run store contract: users, roles, stored sessions and API keys. */
export function describeUserStoreContract(openStore: () => Promise<RunStore>): void {
  describe('users', () => {
    const now = (): string => new Date().toISOString();

    it('adds users, lists them by name and never reads a password back', async () => {
      const { users } = await openStore();
      assert.equal(await users.countUsers(), 0);
      const ana = await users.addUser({ name: 'ana', role: 'admin', passwordHash: '$argon2id$x' });
      await users.addUser({ name: 'bo', role: 'viewer', email: 'bo@example.com', subject: 'idp|bo' });
      assert.equal(ana.name, 'ana');
      assert.equal(ana.role, 'admin');
      assert.equal(ana.hasPassword, true);
      assert.ok(Math.abs(Date.parse(ana.createdAt) - Date.now()) < 60_000);
      assert.equal('passwordHash' in ana, false);
      assert.deepEqual((await users.listUsers()).map((u) => [u.name, u.role, u.hasPassword, u.email]), [
        ['ana', 'admin', true, undefined],
        ['bo', 'viewer', false, 'bo@example.com'],
      ]);
      assert.equal(await users.countUsers(), 2);
      assert.equal(await users.passwordHash('ana'), '$argon2id$x');
      assert.equal(await users.passwordHash('bo'), undefined);
      assert.equal((await users.findUserBySubject('idp|bo'))?.name, 'bo');
      assert.equal(await users.getUser('cy'), undefined);
    });

    it('refuses a name or a subject that is taken', async () => {
      const { users } = await openStore();
      await users.addUser({ name: 'ana', role: 'admin', subject: 's1' });
      await assert.rejects(users.addUser({ name: 'ana', role: 'viewer' }), { code: 'user.exists' });
      await assert.rejects(users.addUser({ name: 'other', role: 'viewer', subject: 's1' }), { code: 'user.exists' });
    });

    it('changes a role and a password, and says when there is no such user', async () => {
      const { users } = await openStore();
      await users.addUser({ name: 'ana', role: 'editor' });
      assert.equal((await users.setRole('ana', 'viewer'))?.role, 'viewer');
      assert.equal((await users.getUser('ana'))?.role, 'viewer');
      assert.equal(await users.setRole('nobody', 'admin'), undefined);
      assert.equal(await users.setPassword('ana', '$argon2id$y'), true);
      assert.equal(await users.passwordHash('ana'), '$argon2id$y');
      assert.equal(await users.setPassword('nobody', 'h'), false);
    });

    it('keeps sessions, records activity only forwards, and ends one or all of a user', async () => {
      const { users } = await openStore();
      await users.addUser({ name: 'ana', role: 'admin' });
      const start = '2024-05-01T10:00:00.000Z';
      await users.createSession({ idHash: 'h1', user: 'ana', createdAt: start, lastSeenAt: start });
      await users.createSession({ idHash: 'h2', user: 'ana', createdAt: start, lastSeenAt: start });
      assert.deepEqual(await users.getSession('h1'), { idHash: 'h1', user: 'ana', createdAt: start, lastSeenAt: start });
      await users.touchSession('h1', '2024-05-01T11:00:00.000Z');
      await users.touchSession('h1', '2024-05-01T10:30:00.000Z');
      assert.equal((await users.getSession('h1'))?.lastSeenAt, '2024-05-01T11:00:00.000Z', 'a late, older touch does not move activity back');
      assert.equal(await users.endSession('h1'), true);
      assert.equal(await users.endSession('h1'), false);
      assert.equal(await users.getSession('h1'), undefined);
      await users.createSession({ idHash: 'h3', user: 'ana', createdAt: now(), lastSeenAt: now() });
      assert.equal(await users.endUserSessions('ana'), 2);
      assert.equal(await users.getSession('h3'), undefined);
    });

    it('issues, replaces and revokes one API key per user', async () => {
      const { users } = await openStore();
      await users.addUser({ name: 'ci', role: 'operator' });
      assert.equal(await users.findUserByApiKey('k1'), undefined);
      assert.equal(await users.setApiKey('ci', 'k1', '2024-05-01T10:00:00.000Z'), true);
      assert.equal((await users.findUserByApiKey('k1'))?.name, 'ci');
      assert.equal((await users.getUser('ci'))?.apiKeyIssuedAt, '2024-05-01T10:00:00.000Z');
      await users.setApiKey('ci', 'k2', '2024-05-02T10:00:00.000Z');
      assert.equal(await users.findUserByApiKey('k1'), undefined, 'a new key replaces the old');
      assert.equal((await users.findUserByApiKey('k2'))?.name, 'ci');
      assert.equal(await users.revokeApiKey('ci'), true);
      assert.equal(await users.revokeApiKey('ci'), false);
      assert.equal(await users.findUserByApiKey('k2'), undefined);
      assert.equal((await users.getUser('ci'))?.apiKeyIssuedAt, undefined);
      assert.equal(await users.setApiKey('nobody', 'k3', now()), false);
    });

    it('removes a user with their sessions and key at once', async () => {
      const { users } = await openStore();
      await users.addUser({ name: 'ana', role: 'admin' });
      await users.createSession({ idHash: 'h1', user: 'ana', createdAt: now(), lastSeenAt: now() });
      await users.setApiKey('ana', 'k1', now());
      assert.equal(await users.removeUser('ana'), true);
      assert.equal(await users.removeUser('ana'), false);
      assert.equal(await users.getSession('h1'), undefined);
      assert.equal(await users.findUserByApiKey('k1'), undefined);
      await users.addUser({ name: 'ana', role: 'viewer' });
      assert.equal(await users.getSession('h1'), undefined, 'a new user of the same name inherits nothing');
    });

    const policy = { failures: 3, windowMs: 10_000, holdMs: 5_000 };

    it('holds a name at the failure that reaches the limit, counts again after, and forgets on a right password', async () => {
      const { users } = await openStore();
      const t = 1_000_000;
      assert.equal(await users.signInHeldUntil('gia'), 0);
      await users.noteSignInFailure('gia', t, policy);
      await users.noteSignInFailure('gia', t + 1, policy);
      assert.equal(await users.signInHeldUntil('gia'), 0, 'two of three');
      await users.noteSignInFailure('gia', t + 2, policy);
      assert.equal(await users.signInHeldUntil('gia'), t + 2 + policy.holdMs);
      assert.equal(await users.signInHeldUntil('vic'), 0, 'other names are not held');
      await users.noteSignInFailure('gia', t + 3, policy);
      assert.equal(await users.signInHeldUntil('gia'), t + 2 + policy.holdMs, 'the count starts again; the hold stands');
      await users.clearSignInFailures('gia');
      assert.equal(await users.signInHeldUntil('gia'), 0);
    });

    it('forgets failures older than the window', async () => {
      const { users } = await openStore();
      const t = 2_000_000;
      await users.noteSignInFailure('bo', t, policy);
      await users.noteSignInFailure('bo', t + 1, policy);
      await users.noteSignInFailure('bo', t + policy.windowMs + 10, policy);
      assert.equal(await users.signInHeldUntil('bo'), 0, 'the two early ones fell out of the window');
      await users.noteSignInFailure('bo', t + policy.windowMs + 11, policy);
      await users.noteSignInFailure('bo', t + policy.windowMs + 12, policy);
      assert.equal(await users.signInHeldUntil('bo'), t + policy.windowMs + 12 + policy.holdMs);
    });

    it('counts each of many failures noted at once', async () => {
      const { users } = await openStore();
      const many = { failures: 40, windowMs: 60_000, holdMs: 5_000 };
      const t = 3_000_000;
      await Promise.all(Array.from({ length: 39 }, (_, i) => users.noteSignInFailure('cy', t + i, many)));
      assert.equal(await users.signInHeldUntil('cy'), 0);
      await users.noteSignInFailure('cy', t + 100, many);
      assert.equal(await users.signInHeldUntil('cy'), t + 100 + many.holdMs, 'the fortieth holds: none was lost');
    });
  });
}
