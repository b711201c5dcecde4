import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serveProject, type ServedProject } from './api-server.ts';

const secret = `S3cret-${process.pid}-${Date.now()}`;
const otherSecret = `Other-${process.pid}-${Date.now()}`;
const legacySecret = `Legacy-${process.pid}-${Date.now()}`;

describe('sluice serve: connections, with write-only secrets', () => {
  let s: ServedProject;
  const seen: string[] = [];
  const call = async <T>(route: string, init: RequestInit = {}) => {
    const response = await s.api(route, init);
    const text = await response.text();
    seen.push(text);
    return { status: response.status, body: JSON.parse(text) as T };
  };

  before(async () => {
    s = await serveProject({
      'connections.yaml': `# Where the data lives.\nconnections:\n  # The local files.\n  local:\n    connector: duckdb\n    path: .sluice/extra.duckdb\n  legacy:\n    connector: postgres\n    url: postgres://app:${legacySecret}@db.internal/sales\n`,
    });
  });
  after(async () => {
    await s.close();
    for (const text of seen) assert.ok(![secret, otherSecret, legacySecret].some((value) => text.includes(value)), `no answer carries a secret: ${text.slice(0, 200)}`);
  });

  it('adds a connection, keeping its secrets in .sluice/secrets.env (0600) and a reference in connections.yaml', async () => {
    const added = await call<{ connection: { name: string; connector: string; settings: Record<string, unknown> } }>('/api/connections', {
      method: 'POST',
      body: JSON.stringify({ name: 'pg', connector: 'postgres', settings: { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' }, secrets: { password: secret } }),
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.deepEqual(added.body.connection.settings.password, { secret: { set: true, from: ['SLUICE_PG_PASSWORD'] } });
    const yaml = readFileSync(path.join(s.dir, 'connections.yaml'), 'utf8');
    assert.ok(!yaml.includes(secret), 'never in the file git sees');
    assert.match(yaml, /password: \$\{SLUICE_PG_PASSWORD\}/);
    assert.ok(yaml.includes('# The local files.'), 'comments kept');
    const secretsFile = path.join(s.dir, '.sluice/secrets.env');
    assert.equal(readFileSync(secretsFile, 'utf8'), `SLUICE_PG_PASSWORD=${secret}\n`);
    assert.equal(statSync(secretsFile).mode & 0o077, 0, 'readable by its owner only');
  });

  it('moves a secret-named setting sent as plain text into the secrets file too', async () => {
    const added = await call<{ connection: { settings: Record<string, unknown> } }>('/api/connections', {
      method: 'POST',
      body: JSON.stringify({ name: 'maria', connector: 'mysql', settings: { host: '127.0.0.1', port: 3306, user: 'root', database: 'test', password: otherSecret } }),
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.deepEqual(added.body.connection.settings.password, { secret: { set: true, from: ['SLUICE_MARIA_PASSWORD'] } });
    assert.ok(!readFileSync(path.join(s.dir, 'connections.yaml'), 'utf8').includes(otherSecret));
  });

  it('lists connections without a secret value', async () => {
    const { body } = await call<{ connections: { name: string; connector: string; settings: Record<string, unknown> }[] }>('/api/connections');
    assert.deepEqual(body.connections.map((c) => [c.name, c.connector]), [['local', 'duckdb'], ['legacy', 'postgres'], ['pg', 'postgres'], ['maria', 'mysql']]);
    assert.equal(body.connections.find((c) => c.name === 'legacy')!.settings.url, 'postgres://app:***@db.internal/sales', 'a password written into a URL by hand is masked');
    assert.equal(body.connections.find((c) => c.name === 'pg')!.settings.host, '127.0.0.1');
  });

  it('tests a connection against the real server, with the secret read from the secrets file', async () => {
    const ok = await call<{ ok: boolean; message: string; duration_ms: number }>('/api/connections/pg/test', { method: 'POST' });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.ok, true, ok.body.message);
    assert.ok(ok.body.duration_ms >= 0);
    assert.equal((await call('/api/connections/nope/test', { method: 'POST' })).status, 404);
  });

  it('changes a connection, keeping a secret left out, and reports a failing test without the secret', async () => {
    const changed = await call<{ connection: { settings: Record<string, unknown> } }>('/api/connections/pg', {
      method: 'PUT',
      body: JSON.stringify({ connector: 'postgres', settings: { host: '127.0.0.1', port: 1, user: 'postgres', database: 'test', password: { secret: { set: true } }, connect_timeout: 2 } }),
    });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.deepEqual(changed.body.connection.settings.password, { secret: { set: true, from: ['SLUICE_PG_PASSWORD'] } });
    assert.match(readFileSync(path.join(s.dir, '.sluice/secrets.env'), 'utf8'), new RegExp(`SLUICE_PG_PASSWORD=${secret}`));
    const failed = await call<{ ok: boolean; message: string }>('/api/connections/pg/test', { method: 'POST' });
    assert.equal(failed.body.ok, false);
    assert.match(failed.body.message, /cannot connect to 'pg'/);
    const replaced = await call('/api/connections/pg', { method: 'PUT', body: JSON.stringify({ connector: 'postgres', settings: { host: '127.0.0.1', user: 'postgres', database: 'test' }, secrets: { password: `${secret}-2` } }) });
    assert.equal(replaced.status, 200);
    assert.match(readFileSync(path.join(s.dir, '.sluice/secrets.env'), 'utf8'), new RegExp(`SLUICE_PG_PASSWORD=${secret}-2`));
    assert.equal((await call('/api/connections/ghost', { method: 'PUT', body: JSON.stringify({ connector: 'postgres', settings: {} }) })).status, 404);
    assert.equal((await call('/api/connections', { method: 'POST', body: JSON.stringify({ name: 'x', connector: 'nope', settings: {} }) })).status, 400);
    assert.equal((await call('/api/connections', { method: 'POST', body: JSON.stringify({ name: 'pg', connector: 'postgres', settings: {} }) })).status, 409);
  });

  it('removes a connection and its secrets, and only its own', async () => {
    await call('/api/connections', { method: 'POST', body: JSON.stringify({ name: 'pg_x', connector: 'postgres', settings: { host: '127.0.0.1', user: 'postgres', database: 'test' }, secrets: { password: otherSecret } }) });
    assert.equal((await call('/api/connections/pg', { method: 'DELETE' })).status, 200);
    const secrets = readFileSync(path.join(s.dir, '.sluice/secrets.env'), 'utf8');
    assert.doesNotMatch(secrets, /SLUICE_PG_PASSWORD/);
    assert.match(secrets, /SLUICE_PG_X_PASSWORD/, 'a connection whose name starts the same keeps its secret');
    assert.match(secrets, /SLUICE_MARIA_PASSWORD/);
    assert.ok(!readFileSync(path.join(s.dir, 'connections.yaml'), 'utf8').includes('pg:'));
    assert.equal((await call('/api/connections/pg', { method: 'DELETE' })).status, 404);
  });
});
