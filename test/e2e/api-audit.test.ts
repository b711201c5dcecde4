import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { serveProject, type ServedProject } from './api-server.ts';

const secret = `Audit-S3cret-${process.pid}-${Date.now()}`;
const newSecret = `Audit-Rotated-${process.pid}-${Date.now()}`;

interface Entry {
  seq: number;
  at: string;
  actor: string;
  address?: string;
  action: string;
  target: string;
  detail: Record<string, unknown>;
}

describe('sluice serve: the audit log records who changed what', () => {
  let s: ServedProject;
  const send = (method: string, route: string, body?: unknown, headers?: Record<string, string>) =>
    s.json<Record<string, unknown>>(route, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), ...(headers ? { headers, auth: '' } : {}) });
  const audit = async (query = ''): Promise<{ entries: Entry[]; next: number | null }> => {
    const { status, body } = await s.json<{ entries: Entry[]; next: number | null }>(`/api/audit${query}`);
    assert.equal(status, 200, JSON.stringify(body));
    return body;
  };

  before(async () => {
    s = await serveProject(
      {
        'pipelines/daily.yaml': 'blocks:\n  - { name: one, file: blocks/one.sql }\n',
        'blocks/one.sql': 'SELECT 1 AS n\n',
        'dictionaries/categories.yaml': 'values:\n  Electronics: []\n',
      },
      { git: true },
    );
  });
  after(async () => s?.close());

  it('records a file saved from the UI with its diff, the token as actor and the caller address', async () => {
    assert.equal((await send('PUT', '/api/files', { path: 'blocks/one.sql', content: 'SELECT 2 AS n\n' })).status, 200);
    const [entry] = (await audit('?action=file.edit')).entries;
    assert.equal(entry?.actor, 'token');
    assert.match(entry?.address ?? '', /127\.0\.0\.1/);
    assert.equal(entry?.target, 'blocks/one.sql');
    assert.equal(entry?.detail.diff, '--- a/blocks/one.sql\n+++ b/blocks/one.sql\n@@ -1,1 +1,1 @@\n-SELECT 1 AS n\n+SELECT 2 AS n\n');
    assert.equal(entry?.detail.created, false);
  });

  it('cuts a huge diff and says so', async () => {
    const big = Array.from({ length: 20_000 }, (_, i) => `-- line ${i}`).join('\n');
    assert.equal((await send('PUT', '/api/files', { path: 'blocks/big.sql', content: big })).status, 200);
    const [entry] = (await audit('?target=blocks/big.sql')).entries;
    assert.equal(entry?.detail.created, true);
    assert.equal(entry?.detail.diffTruncated, true);
    assert.match(String(entry?.detail.diff), /diff cut at 65536 of \d+ characters\n$/);
  });

  it('records connection changes with masked settings and never a secret, in the answer or the table itself', async () => {
    const settings = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
    assert.equal((await send('POST', '/api/connections', { name: 'pg', connector: 'postgres', settings, secrets: { password: secret } })).status, 201);
    assert.equal((await send('PUT', '/api/connections/pg', { connector: 'postgres', settings: { ...settings, password: newSecret } })).status, 200);
    assert.equal((await send('POST', '/api/connections/test', { name: 'pg', connector: 'postgres', settings })).status, 200);
    assert.equal((await send('DELETE', '/api/connections/pg')).status, 200);
    const { entries } = await audit('?action=connection');
    assert.deepEqual(entries.map((e) => `${e.action} ${e.target}`), ['connection.delete pg', 'connection.update pg', 'connection.create pg'], 'a test of unsaved settings changes nothing and is not recorded');
    assert.deepEqual(entries[2]!.detail, { connector: 'postgres', settings: { ...settings, password: { secret: { set: true, from: ['SLUICE_PG_PASSWORD'] } } }, secretsSet: ['password'] });
    const answer = JSON.stringify(await audit('?limit=1000'));
    assert.ok(!answer.includes(secret) && !answer.includes(newSecret), 'no secret in the API');
    const raw = new Database(path.join(s.dir, '.sluice/sluice.db'), { readonly: true });
    try {
      const rows = JSON.stringify(raw.prepare('SELECT * FROM audit_log').all());
      assert.ok(rows.includes('connection.update'));
      assert.ok(!rows.includes(secret) && !rows.includes(newSecret), 'no secret in the audit table');
    } finally {
      raw.close();
    }
  });

  it('records runs started and cancelled, trigger changes, git commits and dictionary decisions', async () => {
    const started = await send('POST', '/api/pipelines/daily/runs', {});
    assert.equal(started.status, 202);
    const runId = String(started.body.run_id);
    await s.waitForRun(runId);
    assert.equal((await send('POST', '/api/pipelines/daily/triggers/preview', { schedule: { cron: '0 6 * * *' } })).status, 200);
    assert.equal((await send('PUT', '/api/pipelines/daily/triggers', { schedule: { cron: '0 6 * * *' }, schedule_enabled: false })).status, 200);
    const commit = await send('POST', '/api/git/commit', { message: 'Daily reads two' });
    assert.equal(commit.status, 200, JSON.stringify(commit.body));
    assert.equal((await send('POST', '/api/dictionaries/categories/decisions', { decisions: [{ value: 'Electrical', canonical: 'Electronics' }] })).status, 200);
    const { entries } = await audit('?limit=4');
    assert.deepEqual(entries.map((e) => `${e.action} ${e.target}`), [
      'dictionary.decide categories',
      `git.commit ${String(commit.body.commit)}`,
      'trigger.update daily',
      `run.start daily/${runId}`,
    ], 'a schedule preview is not a change');
    const { files: decidedFiles, ...decided } = entries[0]!.detail as { files?: { file: string; diff: string }[] };
    assert.deepEqual(decided, { decisions: [{ value: 'Electrical', canonical: 'Electronics' }] });
    assert.match(decidedFiles?.find((f) => f.file === 'dictionaries/categories.yaml')?.diff ?? '', /^\+ {2}Electrical: Electronics$/m, 'the decision written to the dictionary, as a diff');
    assert.equal(entries[1]!.detail.message, 'Daily reads two');
    const { files: triggerFiles, ...trigger } = entries[2]!.detail as { files?: { file: string; diff: string }[] };
    assert.deepEqual(trigger, { schedule: { cron: '0 6 * * *' }, schedule_enabled: false });
    assert.deepEqual(triggerFiles?.map((f) => f.file), ['pipelines/daily.yaml'], 'the schedule written to the pipeline file, as a diff');
    assert.deepEqual((await audit(`?target=daily/`)).entries.map((e) => e.action), ['run.start']);
    const cancel = await send('POST', `/api/runs/${runId}/cancel`);
    assert.equal(cancel.status, 409, 'a finished run cannot be cancelled');
    assert.equal((await audit('?action=run.cancel')).entries.length, 0, 'a refused change is not recorded');
  });

  it('names a browser session by a short tag of its id, never the id', async () => {
    const login = await s.api('/api/session', { method: 'POST', auth: '', headers: { origin: s.base }, body: JSON.stringify({ token: s.token }) });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const edit = await send('PUT', '/api/files', { path: 'blocks/one.sql', content: 'SELECT 3 AS n\n' }, { cookie, origin: s.base });
    assert.equal(edit.status, 200);
    const [entry] = (await audit('?action=file')).entries;
    assert.match(entry!.actor, /^session:[0-9a-f]{8}$/);
    assert.ok(!JSON.stringify(entry).includes(cookie.split('=')[1]!));
    const bySession = (await audit(`?actor=${entry!.actor}`)).entries;
    assert.deepEqual(bySession.map((e) => e.action), ['file.edit', 'session.start'], 'the tag leads to when and where the session began');
    assert.match(bySession[1]!.address ?? '', /127\.0\.0\.1/);
    const out = await s.api('/api/session', { method: 'DELETE', auth: '', headers: { cookie, origin: s.base } });
    assert.equal(out.status, 200);
    assert.deepEqual((await audit(`?actor=${entry!.actor}`)).entries.map((e) => e.action), ['session.end', 'file.edit', 'session.start']);
  });

  it('pages by cursor and refuses a bad filter', async () => {
    const first = await audit('?limit=2');
    assert.equal(first.entries.length, 2);
    assert.ok(first.next);
    const second = await audit(`?limit=2&cursor=${first.next}`);
    assert.ok(second.entries.every((e) => e.seq < first.next!));
    const bad = await s.json<{ error: { code: string; message: string } }>('/api/audit?since=yesterday-ish');
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /since is a date or an ISO time/);
  });

  it('answers no method but GET on the audit routes, and keeps every entry', async () => {
    const before = (await audit('?limit=1000')).entries;
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      for (const route of ['/api/audit', `/api/audit/${before[0]!.seq}`]) {
        const { status } = await send(method, route, method === 'DELETE' ? undefined : {});
        assert.equal(status, 404, `${method} ${route}`);
      }
    }
    assert.deepEqual((await audit('?limit=1000')).entries, before);
  });
});
