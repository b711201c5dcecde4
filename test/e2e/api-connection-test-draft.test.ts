import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { serveProject, type ServedProject } from './api-server.ts';

const skip = await requirePrerequisites('postgres', 'mariadb');
const wrongPassword = `Wrong-${process.pid}-${Date.now()}`;
const post = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body) });

interface Check { readonly ok: boolean; readonly message: string }

describe('sluice serve: testing a connection before it is saved, and the built-in warehouse', { skip }, () => {
  let s: ServedProject;
  const seen: string[] = [];
  const check = async (body: unknown) => {
    const answer = await s.json<Check>('/api/connections/test', post(body));
    seen.push(JSON.stringify(answer.body));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body;
  };
  const file = (name: string) => (existsSync(path.join(s.dir, name)) ? readFileSync(path.join(s.dir, name), 'utf8') : undefined);

  before(async () => {
    s = await serveProject({ 'connections.yaml': 'connections: {}\n' });
  });
  after(async () => {
    await s?.close();
    for (const text of seen) assert.ok(!text.includes(wrongPassword), `no answer carries the typed secret: ${text}`);
  });

  it('lists the built-in warehouse apart, read-only, with its file', async () => {
    const { body } = await s.json<{ connections: { name: string }[]; builtin: { name: string; connector: string; settings: { path: string } }[] }>('/api/connections');
    assert.deepEqual(body.builtin, [{ name: 'warehouse', connector: 'duckdb', settings: { path: '.sluice/warehouse.duckdb' } }]);
    assert.deepEqual(body.connections, []);
  });

  it('tests unsaved PostgreSQL settings against the real server, writing nothing', async () => {
    const good = await check({ name: 'pg', connector: 'postgres', settings: { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' } });
    assert.equal(good.ok, true, good.message);
    const missing = `no_such_db_${process.pid}`;
    const bad = await check({ name: 'pg', connector: 'postgres', settings: { host: '127.0.0.1', port: 5432, user: 'postgres', database: missing } });
    assert.equal(bad.ok, false);
    assert.match(bad.message, new RegExp(`${missing}.*does not exist`));
    assert.equal(file('connections.yaml'), 'connections: {}\n');
    assert.equal(file('.sluice/secrets.env'), undefined);
  });

  it('uses a typed MariaDB password without ever showing it, and a saved one the form left empty', async () => {
    const settings = { host: '127.0.0.1', port: 3306, user: 'root', database: 'test' };
    const typed = await check({ name: 'maria', connector: 'mysql', settings, secrets: { password: wrongPassword } });
    assert.equal(typed.ok, false);
    assert.match(typed.message, /Access denied/);
    assert.equal((await check({ name: 'maria', connector: 'mysql', settings })).ok, true);

    const saved = await s.json('/api/connections', post({ name: 'maria', connector: 'mysql', settings, secrets: { password: wrongPassword } }));
    assert.equal(saved.status, 201);
    const before = file('connections.yaml');
    // The edit form sends the secret back masked and unchanged: the stored (wrong) one is used.
    const kept = await check({ name: 'maria', connector: 'mysql', settings: { ...settings, password: { secret: { set: true } } } });
    assert.equal(kept.ok, false, 'the stored password was used');
    assert.match(kept.message, /Access denied/);
    assert.equal(file('connections.yaml'), before, 'testing an edit writes nothing');
  });
});
