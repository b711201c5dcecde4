import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqliteRunStore } from '../core/run-store/sqlite-run-store.ts';
import { roleAtLeast, roles, type Role } from '../core/run-store/user-store.ts';
import { createApp, type AppDependencies } from './create-app.ts';
import { routeRoles } from './route-roles.ts';
import { issueApiKey } from './users/user-admin.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-route-roles-'));
fs.writeFileSync(path.join(dir, 'sluice.yaml'), 'name: route_roles\n');
const store = new SqliteRunStore(path.join(dir, '.sluice', 'sluice.db'));
const app = createApp({ root: dir, stateDir: path.join(dir, '.sluice'), store, token: 'project-token', connectors: new Map() } as unknown as AppDependencies);
const keys = new Map<Role, string>();

before(async () => {
  for (const role of roles) {
    await store.users.addUser({ name: `a-${role}`, role });
    keys.set(role, await issueApiKey(store, `a-${role}`, { name: 'test' }));
  }
});
after(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Every route the app answers, as route-roles.ts names them: middleware and catch-alls are no routes. */
const routes = [...new Set(app.routes.filter((r) => r.method !== 'ALL' && !r.path.includes('*')).map((r) => `${r.method} ${r.path}`))].sort();

async function call(route: string, role: Role): Promise<{ status: number; code?: string }> {
  const [method, pattern] = route.split(' ') as [string, string];
  const url = pattern.replace(/:[a-z]+/g, 'nothing_here');
  const response = await app.request(url, {
    method,
    headers: { authorization: `Bearer ${keys.get(role)}`, 'content-type': 'application/json' },
    ...(method === 'GET' ? {} : { body: '{}' }),
  });
  const text = await response.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    code = undefined;
  }
  return { status: response.status, code };
}

describe('the route role table', () => {
  it('names every route the app has, and no route it lacks', () => {
    assert.ok(routes.length > 80, `the walk sees the app's routes (found ${routes.length})`);
    const named = new Set(Object.keys(routeRoles));
    assert.deepEqual(routes.filter((r) => !named.has(r)), [], 'routes with no role in route-roles.ts');
    assert.deepEqual([...named].filter((r) => !routes.includes(r)), [], 'route-roles.ts names routes the app does not have');
  });

  it('lets each role call exactly the routes the table gives it, and refuses the rest with 403', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      const needed = (routeRoles as Record<string, Role | 'public'>)[route];
      for (const role of roles) {
        const allowed = needed === 'public' || (needed !== undefined && roleAtLeast(role, needed));
        const { status, code } = await call(route, role);
        const refused = status === 403 && code === 'auth.forbidden';
        if (allowed === refused) wrong.push(`${route} as ${role}: ${status} ${code ?? ''} (table: ${needed ?? 'missing'})`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('refuses every route but the public ones without a credential', async () => {
    for (const route of routes.filter((r) => (routeRoles as Record<string, string>)[r] !== 'public')) {
      const [method, pattern] = route.split(' ') as [string, string];
      const response = await app.request(pattern.replace(/:[a-z]+/g, 'x'), { method });
      assert.equal(response.status, 401, route);
    }
  });

  it('refuses the project token once the project has users', async () => {
    const response = await app.request('/api/pipelines', { headers: { authorization: 'Bearer project-token' } });
    assert.equal(response.status, 401);
  });
});
