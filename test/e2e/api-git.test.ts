import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serveProject, type ServedProject } from './api-server.ts';

interface Status {
  branch: string;
  branches: string[];
  changes: { path: string; status: string }[];
}

describe('sluice serve: the git panel', () => {
  let s: ServedProject;
  let plain: ServedProject;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: s.dir, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } });

  before(async () => {
    const files = { 'pipelines/p.yaml': 'blocks:\n  - { name: a, file: blocks/a.sql }\n', 'blocks/a.sql': 'SELECT 1 AS one\n' };
    // No global git identity: commits fall back to Sluice's own.
    s = await serveProject(files, { git: true, env: { GIT_CONFIG_GLOBAL: '/dev/null' } });
    plain = await serveProject(files);
  });
  after(async () => {
    await s.close();
    await plain.close();
  });

  it('answers a clear 400 for a project that is not a git repository', async () => {
    for (const [route, init] of [['/api/git/status', {}], ['/api/git/diff', {}], ['/api/git/commit', { method: 'POST', body: JSON.stringify({ message: 'x' }) }], ['/api/git/branches', { method: 'POST', body: JSON.stringify({ name: 'x' }) }]] as const) {
      const r = await plain.json<{ error: { code: string; message: string } }>(route, init);
      assert.equal(r.status, 400, route);
      assert.equal(r.body.error.code, 'git.not_repository');
      assert.match(r.body.error.message, /not a git repository/);
    }
  });

  it('shows the branch and the changed files, new ones included, but never Sluice state', async () => {
    const clean = (await s.json<Status>('/api/git/status')).body;
    assert.deepEqual(clean, { branch: 'main', branches: ['main'], changes: [] });
    await s.json('/api/files', { method: 'PUT', body: JSON.stringify({ path: 'blocks/a.sql', content: 'SELECT 2 AS two\n' }) });
    await s.json('/api/pipelines', { method: 'POST', body: JSON.stringify({ name: 'newer' }) });
    const { body } = await s.json<Status>('/api/git/status');
    assert.deepEqual(body.changes, [
      { path: 'blocks/a.sql', status: 'modified' },
      { path: 'pipelines/newer.yaml', status: 'untracked' },
    ]);
  });

  it('shows the diff of one file and of everything', async () => {
    const one = (await s.json<{ diff: string }>('/api/git/diff?path=blocks/a.sql')).body.diff;
    assert.match(one, /-SELECT 1 AS one\n\+SELECT 2 AS two/);
    const all = (await s.json<{ diff: string }>('/api/git/diff')).body.diff;
    assert.match(all, /\+blocks: \[\]/, 'new files are in the diff');
    assert.equal((await s.json('/api/git/diff?path=../outside')).status, 403);
  });

  it('commits the given paths, then everything, with the default author when git has none', async () => {
    const first = await s.json<{ commit: string }>('/api/git/commit', { method: 'POST', body: JSON.stringify({ message: 'New pipeline', paths: ['pipelines/newer.yaml'] }) });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.match(first.body.commit, /^[0-9a-f]{40}$/);
    assert.deepEqual((await s.json<Status>('/api/git/status')).body.changes, [{ path: 'blocks/a.sql', status: 'modified' }]);
    writeFileSync(path.join(s.dir, '.sluice/private.txt'), 'state');
    // Even with .sluice/ no longer ignored, its tokens, secrets and history stay out of commits.
    writeFileSync(path.join(s.dir, '.gitignore'), '');
    assert.ok((await s.json<Status>('/api/git/status')).body.changes.every((c) => !c.path.startsWith('.sluice')));
    const second = await s.json<{ commit: string }>('/api/git/commit', { method: 'POST', body: JSON.stringify({ message: 'Two, not one' }) });
    assert.equal(second.status, 200, JSON.stringify(second.body));
    const log = git('log', '--format=%s|%an <%ae>');
    assert.equal(log, 'Two, not one|Sluice <sluice@localhost>\nNew pipeline|Sluice <sluice@localhost>\nstart|Tester <tester@example.com>\n');
    assert.doesNotMatch(git('ls-files'), /\.sluice/);
    const nothing = await s.json<{ error: { code: string } }>('/api/git/commit', { method: 'POST', body: JSON.stringify({ message: 'empty' }) });
    assert.equal(nothing.status, 400);
    assert.equal(nothing.body.error.code, 'git.nothing_to_commit');
    assert.equal((await s.json('/api/git/commit', { method: 'POST', body: JSON.stringify({ message: '' }) })).status, 400);
  });

  it('creates and switches branches, refusing names git would take as options', async () => {
    const created = await s.json<Status>('/api/git/branches', { method: 'POST', body: JSON.stringify({ name: 'feature/ui', create: true }) });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.equal(created.body.branch, 'feature/ui');
    assert.deepEqual(created.body.branches.sort(), ['feature/ui', 'main']);
    assert.equal(git('branch', '--show-current').trim(), 'feature/ui');
    const back = await s.json<Status>('/api/git/branches', { method: 'POST', body: JSON.stringify({ name: 'main' }) });
    assert.equal(back.body.branch, 'main');
    for (const name of ['--orphan', '-d', 'a..b', 'bad name']) {
      assert.equal((await s.json('/api/git/branches', { method: 'POST', body: JSON.stringify({ name, create: true }) })).status, 400, name);
    }
    assert.equal((await s.json('/api/git/branches', { method: 'POST', body: JSON.stringify({ name: 'ghost' }) })).status, 400);
  });

  it('lists the history with the diff of each commit', async () => {
    const { body } = await s.json<{ commits: { id: string; author: string; date: string; subject: string }[] }>('/api/git/log');
    assert.deepEqual(body.commits.map((c) => c.subject), ['Two, not one', 'New pipeline', 'start']);
    assert.match(body.commits[0]!.id, /^[0-9a-f]{40}$/);
    assert.equal(body.commits[0]!.author, 'Sluice');
    assert.ok(!Number.isNaN(Date.parse(body.commits[0]!.date)));
    const diff = (await s.json<{ diff: string }>(`/api/git/commits/${body.commits[1]!.id}`)).body.diff;
    assert.match(diff, /\+\+\+ b\/pipelines\/newer\.yaml/);
    assert.doesNotMatch(diff, /blocks\/a\.sql/, 'only what that commit changed');
    assert.equal((await s.json('/api/git/commits/HEAD')).status, 400, 'a ref is not a commit id');
    assert.equal((await s.json('/api/git/commits/--output=x')).status, 400);
    assert.equal((await s.json('/api/git/commits/0123456789abcdef0123456789abcdef01234567')).status, 400);
  });

  it('discards the change to one file: a committed file gets its content back, a new file goes', async () => {
    await s.json('/api/files', { method: 'PUT', body: JSON.stringify({ path: 'blocks/a.sql', content: 'SELECT 3 AS three\n' }) });
    await s.json('/api/files', { method: 'PUT', body: JSON.stringify({ path: 'blocks/new.sql', content: 'SELECT 4\n' }) });
    await s.json('/api/files', { method: 'PUT', body: JSON.stringify({ path: 'blocks/kept.sql', content: 'SELECT 5\n' }) });
    git('add', 'blocks/new.sql');
    const restored = await s.json<Status>('/api/git/discard', { method: 'POST', body: JSON.stringify({ path: 'blocks/a.sql' }) });
    assert.equal(restored.status, 200, JSON.stringify(restored.body));
    assert.equal(readFileSync(path.join(s.dir, 'blocks/a.sql'), 'utf8'), 'SELECT 2 AS two\n');
    const removed = await s.json<Status>('/api/git/discard', { method: 'POST', body: JSON.stringify({ path: 'blocks/new.sql' }) });
    assert.deepEqual(removed.body.changes, [{ path: 'blocks/kept.sql', status: 'untracked' }], 'the other change stays');
    assert.equal(existsSync(path.join(s.dir, 'blocks/new.sql')), false);
    assert.equal((await s.json('/api/git/discard', { method: 'POST', body: JSON.stringify({ path: '../outside' }) })).status, 403);
    assert.equal((await s.json('/api/git/discard', { method: 'POST', body: JSON.stringify({ path: '.sluice/api-token' }) })).status, 403);
    assert.ok(existsSync(path.join(s.dir, '.sluice/api-token')));
  });
});
