import { ConfigError } from '../../core/errors.ts';
import type { RunStore } from '../../core/run-store/run-store.ts';
import type { Role, UserRecord } from '../../core/run-store/user-store.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { digest, newApiKey } from './user-auth.ts';

/** Who made a change, for the audit log: `user:<name>`, `key:<name>`, `token` or `cli:<os user>`. */
export interface ChangeActor {
  readonly name: string;
  readonly address?: string | undefined;
}

type Store = Pick<RunStore, 'users' | 'audit'>;

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/;

/**
 * Changes to users, shared by `sluice users` and the admin API so both check
 * the same rules and write the same audit entries. None of them ever logs
 * or returns a password or a stored hash.
 */
export async function addUser(store: Store, input: { name: string; role: Role; password?: string | undefined; email?: string | undefined }, actor: ChangeActor): Promise<UserRecord> {
  if (!namePattern.test(input.name)) throw new ConfigError('user.bad_name', `'${input.name}' is not a user name: use letters, digits, '.', '_', '@' and '-' (up to 100), starting with a letter or digit`);
  const passwordHash = input.password === undefined ? undefined : await checkedHash(input.password);
  const user = await store.users.addUser({ name: input.name, role: input.role, passwordHash, email: input.email });
  await store.audit.append({ actor: actor.name, address: actor.address, action: 'user.add', target: user.name, detail: { role: user.role } });
  return user;
}

export async function setUserRole(store: Store, name: string, role: Role, actor: ChangeActor): Promise<UserRecord> {
  const before = await existing(store, name);
  if (before.role === 'admin' && role !== 'admin') await keepAnAdmin(store);
  const user = (await store.users.setRole(name, role)) ?? before;
  await store.audit.append({ actor: actor.name, address: actor.address, action: 'user.role', target: name, detail: { from: before.role, to: role } });
  return user;
}

/** Sets a new password and ends the user's sessions, so a password changed after a leak locks the old sessions out. */
export async function setUserPassword(store: Store, name: string, password: string, actor: ChangeActor): Promise<void> {
  await existing(store, name);
  await store.users.setPassword(name, await checkedHash(password));
  const ended = await store.users.endUserSessions(name);
  await store.audit.append({ actor: actor.name, address: actor.address, action: 'user.password', target: name, detail: { sessionsEnded: ended } });
}

export async function removeUser(store: Store, name: string, actor: ChangeActor): Promise<void> {
  const user = await existing(store, name);
  if (user.role === 'admin') await keepAnAdmin(store);
  await store.users.removeUser(name);
  await store.audit.append({ actor: actor.name, address: actor.address, action: 'user.remove', target: name, detail: { role: user.role } });
}

/** A new API key for the user, replacing any they had. The key is returned once and stored only as its SHA-256. */
export async function issueApiKey(store: Store, name: string, actor: ChangeActor): Promise<string> {
  await existing(store, name);
  const key = newApiKey();
  await store.users.setApiKey(name, digest(key), new Date().toISOString());
  await store.audit.append({ actor: actor.name, address: actor.address, action: 'user.key_issue', target: name });
  return key;
}

export async function revokeApiKey(store: Store, name: string, actor: ChangeActor): Promise<boolean> {
  await existing(store, name);
  const revoked = await store.users.revokeApiKey(name);
  if (revoked) await store.audit.append({ actor: actor.name, address: actor.address, action: 'user.key_revoke', target: name });
  return revoked;
}

async function existing(store: Store, name: string): Promise<UserRecord> {
  const user = await store.users.getUser(name);
  if (!user) throw new ConfigError('user.not_found', `no user '${name}'`);
  return user;
}

/** Refuses to take away the last admin: nobody could manage users afterwards but someone at the server's shell. */
async function keepAnAdmin(store: Store): Promise<void> {
  const admins = (await store.users.listUsers()).filter((u) => u.role === 'admin');
  if (admins.length <= 1) throw new ConfigError('user.last_admin', 'this is the last admin: make another user admin first');
}

async function checkedHash(password: string): Promise<string> {
  const problem = passwordProblem(password);
  if (problem) throw new ConfigError('user.bad_password', problem);
  return hashPassword(password);
}
