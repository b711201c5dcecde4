import { readFileSync } from 'node:fs';
import { isRole, roles, type Role } from '../../core/run-store/user-store.ts';
import type { RunStore } from '../../core/run-store/run-store.ts';
import { loadProject } from '../../core/project/load-project.ts';
import { openRunStore } from '../../engine/create-engine.ts';
import { addUser, issueApiKey, removeUser, revokeApiKey, setUserPassword, setUserRole } from '../../server/users/user-admin.ts';
import { bold, dim, formatTable, type Output } from '../output.ts';
import { UsageError } from '../usage-error.ts';
import { cliActor } from './audit-command.ts';

/**
 * `sluice users ...`: the project's users, in its metadata store. Whoever
 * can run the CLI in the project can read its state folder anyway, so the
 * CLI acts without signing in; each change is audited as `cli:<os user>`.
 */
async function withStore<T>(work: (store: RunStore) => Promise<T>): Promise<T> {
  const store = await openRunStore(loadProject(process.cwd()));
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

function role(value: string): Role {
  if (!isRole(value)) throw new UsageError(`a role is one of ${roles.join(', ')}; got '${value}'`);
  return value;
}

/** The password from standard input (`--password-stdin`), so it never shows in a shell's history or `ps`. */
function readPassword(): string {
  return readFileSync(0, 'utf8').replace(/\r?\n$/, '');
}

export async function usersAddCommand(name: string, options: { role: string; passwordStdin?: boolean; email?: string }, out: Output): Promise<number> {
  const password = options.passwordStdin ? readPassword() : undefined;
  const user = await withStore(async (store) => {
    const first = (await store.users.countUsers()) === 0;
    const added = await addUser(store, { name, role: role(options.role), password, email: options.email }, { name: cliActor() });
    if (first) out.line(dim('the first user: from now on the project token is refused; sign in as a user, and give scripts an API key (sluice users key NAME)'));
    return added;
  });
  out.line(`added ${bold(user.name)} (${user.role})${password === undefined ? dim(' without a password: set one with sluice users set-password, or issue an API key') : ''}`);
  return 0;
}

export async function usersListCommand(options: { json?: boolean }, out: Output): Promise<number> {
  const users = await withStore((store) => store.users.listUsers());
  if (options.json) out.line(JSON.stringify(users, null, 2));
  else if (!users.length) out.line('no users: the project token acts as admin (sluice users add NAME --role admin --password-stdin)');
  else out.line(formatTable(['name', 'role', 'password', 'API key', 'since'], users.map((u) => [u.name, u.role, u.hasPassword ? 'yes' : 'no', u.apiKeyIssuedAt ? `issued ${u.apiKeyIssuedAt.slice(0, 10)}` : '-', u.createdAt.slice(0, 10)])));
  return 0;
}

export async function usersSetRoleCommand(name: string, newRole: string, out: Output): Promise<number> {
  const user = await withStore((store) => setUserRole(store, name, role(newRole), { name: cliActor() }));
  out.line(`${bold(user.name)} is now ${user.role}`);
  return 0;
}

export async function usersSetPasswordCommand(name: string, options: { passwordStdin?: boolean }, out: Output): Promise<number> {
  if (!options.passwordStdin) throw new UsageError('give the new password on standard input with --password-stdin');
  const password = readPassword();
  await withStore((store) => setUserPassword(store, name, password, { name: cliActor() }));
  out.line(`set the password of ${bold(name)}; their sessions have ended`);
  return 0;
}

export async function usersRemoveCommand(name: string, out: Output): Promise<number> {
  await withStore((store) => removeUser(store, name, { name: cliActor() }));
  out.line(`removed ${bold(name)}, their sessions and their API key`);
  return 0;
}

export async function usersKeyCommand(name: string, options: { revoke?: boolean }, out: Output): Promise<number> {
  if (options.revoke) {
    const revoked = await withStore((store) => revokeApiKey(store, name, { name: cliActor() }));
    out.line(revoked ? `revoked the API key of ${bold(name)}` : `${name} had no API key`);
    return 0;
  }
  const key = await withStore((store) => issueApiKey(store, name, { name: cliActor() }));
  out.line(key);
  out.line(dim(`the API key of ${name}, shown once (any older key of theirs no longer works): send it as Authorization: Bearer KEY`));
  return 0;
}
