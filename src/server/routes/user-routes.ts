import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppDependencies } from '../app-context.ts';
import { parseBody, problem } from '../http-problem.ts';
import { noteAudit } from '../audit/audit-trail.ts';
import { roles, type UserRecord } from '../../core/run-store/user-store.ts';
import { addUser, issueApiKey, removeUser, revokeApiKey, setUserPassword, setUserRole, type ChangeActor } from '../users/user-admin.ts';
import { answer } from '../route-answer.ts';

/** A user as the admin API shows them: never a password or a key. */
export type UserView = UserRecord;

/** `POST /api/users/:name/key`: the new key, shown this once. */
export interface IssuedKey {
  readonly user: string;
  readonly key: string;
}

const role = z.enum(roles);
const newUser = z.object({ name: z.string().min(1).max(100), role, password: z.string().max(1000).optional(), email: z.string().email().optional() }).strict();
const change = z.object({ role: role.optional(), password: z.string().max(1000).optional() }).strict();

/** What `POST /api/users` and `PATCH /api/users/:name` take. */
export type NewUserRequest = z.input<typeof newUser>;
export type UserChangeRequest = z.input<typeof change>;

/**
 * `/api/users`: the admin page's list, add, change role or password,
 * remove, and issue or revoke an API key. Each change writes its own audit
 * entry (user.add, user.role...) with the admin who made it.
 */
export function userRoutes(deps: AppDependencies): Hono {
  const app = new Hono();
  const actor = (c: Context): ChangeActor => {
    // These routes write their own, more precise entries than the audit trail would.
    noteAudit(c, false);
    return c.get('actor');
  };
  app.get('/users', async (c) => answer(c, 'GET /api/users', { users: (await deps.store.users.listUsers()) satisfies UserView[] }));
  app.post('/users', async (c) => {
    const body = await parseBody(c, newUser);
    return answer(c, 'POST /api/users', { user: (await addUser(deps.store, body, actor(c))) satisfies UserView }, 201);
  });
  app.patch('/users/:name', async (c) => {
    const body = await parseBody(c, change);
    const name = c.req.param('name');
    const by = actor(c);
    if (body.password !== undefined) await setUserPassword(deps.store, name, body.password, by);
    if (body.role !== undefined) await setUserRole(deps.store, name, body.role, by);
    const user = await deps.store.users.getUser(name);
    return user ? answer(c, 'PATCH /api/users/:name', { user: user satisfies UserView }) : problem(c, 404, 'user.not_found', `no user '${name}'`);
  });
  app.delete('/users/:name', async (c) => {
    await removeUser(deps.store, c.req.param('name'), actor(c));
    return answer(c, 'DELETE /api/users/:name', { removed: c.req.param('name') });
  });
  app.post('/users/:name/key', async (c) => {
    const name = c.req.param('name');
    return answer(c, 'POST /api/users/:name/key', { user: name, key: await issueApiKey(deps.store, name, actor(c)) } satisfies IssuedKey, 201);
  });
  app.delete('/users/:name/key', async (c) => {
    const name = c.req.param('name');
    return answer(c, 'DELETE /api/users/:name/key', { user: name, revoked: await revokeApiKey(deps.store, name, actor(c)) });
  });
  return app;
}
