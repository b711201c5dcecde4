import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { repoRoot, tempDir, writeProject } from './cli-helpers.ts';
import { serveProject, type ServedProject } from './api-server.ts';
import { asBrowser, signInAs } from './user-helpers.ts';

const skip = await requirePrerequisites('postgres');
const url = process.env.SLUICE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `sluice_users_${process.pid}_${Date.now().toString(36)}`;
const settings = `name: users_pg\nmetadata: { type: postgres, url: "${url}", schema: ${schema} }\n`;

/**
 * The real `sluice` in `cwd`, with `input` on its standard input. Asynchronous,
 * so the test's open HTTP connections see the servers close them meanwhile.
 */
function cli(cwd: string, args: string[], input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/sluice.js'), ...args], { cwd, env: { ...process.env, CI: '1', NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr })));
}

describe('users and sessions in PostgreSQL, shared by server processes', { skip }, () => {
  const project = tempDir('sluice-users-pg-');
  const servers: ServedProject[] = [];
  const serve = async (): Promise<ServedProject> => {
    const s = await serveProject({ 'sluice.yaml': settings });
    servers.push(s);
    return s;
  };

  before(() => writeProject(project.dir, { 'sluice.yaml': settings }));
  after(async () => {
    for (const s of servers) await s.close();
    project.cleanup();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it('adds the first admin from the CLI, with the password on standard input', async () => {
    const added = await cli(project.dir, ['users', 'add', 'ana', '--role', 'admin', '--password-stdin'], 'ana-password-1\n');
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /added ana \(admin\)/);
    assert.match(added.stdout, /project token is refused/);
    assert.equal((await cli(project.dir, ['users', 'add', 'bo', '--role', 'boss'])).code, 2, 'an unknown role is a usage error');
    const list = await cli(project.dir, ['users', 'list', '--json']);
    assert.deepEqual((JSON.parse(list.stdout) as { name: string; role: string; hasPassword: boolean }[]).map((u) => [u.name, u.role, u.hasPassword]), [['ana', 'admin', true]]);
    assert.doesNotMatch(list.stdout, /ana-password-1|argon2/);
  });

  it('keeps a session across server processes and restarts, and ends it everywhere on sign-out', async () => {
    const a = await serve();
    const b = await serve();
    const cookie = await signInAs(a, 'ana', 'ana-password-1');
    assert.equal((await asBrowser(b, cookie)('/api/runs')).status, 200, 'a session begun on one server works on another');
    await a.close();
    servers.splice(servers.indexOf(a), 1);
    const c = await serve();
    assert.equal((await asBrowser(c, cookie)('/api/runs')).status, 200, 'and on a server started after the first stopped');
    assert.equal((await asBrowser(b, cookie)('/api/session', { method: 'DELETE' })).status, 200);
    assert.equal((await asBrowser(c, cookie)('/api/runs')).status, 401, 'signed out on one server, refused by the other');
  });

  it('holds a guessed name on every server: wrong passwords on two servers add up to one limit', async () => {
    const [b] = servers as [ServedProject];
    const d = await serve();
    const signIn = (s: ServedProject, password: string) => s.api('/api/session', { auth: '', method: 'POST', body: JSON.stringify({ user: 'ana', password }) });
    // Five wrong passwords in all, taken turn about: neither server saw five itself.
    for (let i = 0; i < 5; i++) assert.equal((await signIn(i % 2 ? d : b, `wrong-${i}-password`)).status, 401, `wrong password ${i + 1}`);
    for (const s of [b, d]) {
      const held = await signIn(s, 'ana-password-1');
      assert.equal(held.status, 429, 'held on both servers, even against the right password');
      assert.ok(Number(held.headers.get('retry-after')) > 0);
    }
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      // The hold's end, moved to the past as a minute's wait would: both servers let the name in again.
      await admin.query(`UPDATE "${schema}".sign_in_failures SET held_until_ms = 0 WHERE name = 'ana'`);
    } finally {
      await admin.end();
    }
    assert.equal((await signIn(d, 'ana-password-1')).status, 200);
    assert.equal((await signIn(b, 'ana-password-1')).status, 200);
  });

  it('applies role changes, keys and removal made by the CLI on the servers\' next request', async () => {
    const [b] = servers as [ServedProject];
    assert.match(b.output(), /API on/, b.output());
    assert.equal((await cli(project.dir, ['users', 'add', 'ed', '--role', 'editor', '--password-stdin'], 'ed-password-1')).code, 0);
    const ed = asBrowser(b, await signInAs(b, 'ed', 'ed-password-1'));
    assert.equal((await ed('/api/pipelines', { method: 'POST', body: JSON.stringify({ name: 'made_by_ed' }) })).status, 201);
    assert.equal((await cli(project.dir, ['users', 'set-role', 'ed', 'viewer'])).code, 0);
    assert.equal((await ed('/api/pipelines', { method: 'POST', body: JSON.stringify({ name: 'refused' }) })).status, 403);
    const key = (await cli(project.dir, ['users', 'key', 'ed'])).stdout.split('\n')[0]!;
    assert.match(key, /^slk_/);
    assert.equal((await b.json('/api/runs', { auth: key })).status, 200);
    assert.equal((await cli(project.dir, ['users', 'remove', 'ed'])).code, 0);
    assert.equal((await ed('/api/runs')).status, 401);
    assert.equal((await b.json('/api/runs', { auth: key })).status, 401, 'their key went with them');
    const audit = JSON.parse((await cli(project.dir, ['audit', '--action', 'user', '--json'])).stdout) as { actor: string; action: string; target: string }[];
    assert.deepEqual(
      audit.map((e) => `${e.actor.replace(/^cli:.*/, 'cli')} ${e.action} ${e.target}`),
      ['cli user.remove ed', 'cli user.key_issue ed', 'cli user.role ed', 'cli user.add ed', 'cli user.add ana'],
    );
  });
});
