import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteRunStore } from '../../core/run-store/sqlite-run-store.ts';
import { createApp, type AppDependencies } from '../create-app.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-audit-routes-'));
const store = new SqliteRunStore(path.join(dir, 'sluice.db'));
after(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

// Building the app only registers routes; none of these is called.
const app = createApp({ root: dir, stateDir: dir, store, token: 'test-token', connectors: new Map() } as unknown as AppDependencies);

describe('the audit log over HTTP', () => {
  it('has GET /api/audit, and no route of another method under /api/audit', () => {
    const audit = app.routes.filter((r) => r.path === '/api/audit' || r.path.startsWith('/api/audit/'));
    assert.deepEqual(audit.map((r) => `${r.method} ${r.path}`), ['GET /api/audit']);
  });

  it('lets no catch-all route that also matches /api/audit change an entry', async () => {
    // Middleware and the JSON 404 are registered for every method on wildcard paths; they must answer 404 and change nothing.
    const wildcards = app.routes.filter((r) => r.method !== 'GET' && r.path.includes('*'));
    assert.ok(wildcards.length > 0, 'the walk sees the catch-all routes');
    for (const r of wildcards) assert.ok(['ALL'].includes(r.method), `${r.method} ${r.path}`);
    await store.audit.append({ actor: 'token', action: 'git.commit', target: 'abc' });
    const before = await store.audit.list();
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      for (const route of ['/api/audit', '/api/audit/1']) {
        const response = await app.request(route, { method, headers: { authorization: 'Bearer test-token', 'content-type': 'application/json' }, body: '{}' });
        assert.equal(response.status, 404, `${method} ${route}`);
      }
    }
    assert.deepEqual(await store.audit.list(), before);
  });
});
