import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, sluice, tempDir } from './cli-helpers.ts';
import { waitFor } from '../../src/testing/wait-for.ts';

describe('sluice serve: the run API', () => {
  const { dir, cleanup } = tempDir('sluice-serve-');
  let child: ChildProcess;
  let base = '';
  let token = '';
  let output = '';

  before(async () => {
    const files: Record<string, string> = {
      'sluice.yaml': 'name: served\n',
      'pipelines/hello.yaml': 'variables: { who: world }\nblocks:\n  - { name: greet, file: blocks/greet.sql }\n',
      'blocks/greet.sql': "SELECT 'hello ' || getvariable('who') AS greeting, getvariable('logical_date') AS day\n",
      'pipelines/million.yaml': 'blocks:\n  - { name: rows, file: blocks/rows.sql }\n',
      'blocks/rows.sql': "SELECT i AS id, 'row ' || i AS label, i * 2 AS twice FROM range(1000000) t(i)\n",
    };
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), content);
    }
    const env: NodeJS.ProcessEnv = { ...process.env, CI: '1', NO_COLOR: '1' };
    delete env.SLUICE_API_TOKEN;
    child = spawn(process.execPath, [path.join(repoRoot, 'bin/sluice.js'), 'serve', '--port', '0', '--no-scheduler'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    base = await waitFor(() => /API on (http:\/\/\S+)/.exec(output)?.[1], { what: 'the server to start', giveUpWhen: () => (child.exitCode !== null ? output : undefined) });
    token = readFileSync(path.join(dir, '.sluice/api-token'), 'utf8').trim();
  });
  after(async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    cleanup();
  });

  const api = (route: string, init: RequestInit = {}, auth = token) =>
    fetch(`${base}${route}`, { ...init, headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...init.headers } });
  /** The run's status once it has finished. */
  const finished = (runId: string) =>
    waitFor(
      async () => {
        const { run } = (await (await api(`/api/runs/${runId}`)).json()) as { run: { status: string } };
        return !['queued', 'running'].includes(run.status) && run.status;
      },
      { what: `run ${runId} to finish` },
    );

  it('generates a token at first start, readable by its owner only, and listens on loopback', () => {
    assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(token.length >= 40);
    assert.equal(statSync(path.join(dir, '.sluice/api-token')).mode & 0o077, 0);
    const withToken = output.split('\n').filter((line) => line.includes(token));
    assert.deepEqual(withToken, [`sign in: ${base}/#token=${token}`], 'the token shows only in the sign-in link');
  });

  it('answers health without a token and everything else only with it', async () => {
    assert.equal((await api('/api/health', {}, '')).status, 200);
    const missing = await api('/api/runs', {}, '');
    assert.equal(missing.status, 401);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'auth.required');
    assert.equal((await api('/api/runs', {}, 'wrong-token')).status, 401);
    assert.equal((await api('/api/pipelines/hello/runs', { method: 'POST', body: '{}' }, 'wrong-token')).status, 401);
  });

  it('triggers a run with variables and a logical date, and reports it', async () => {
    const response = await api('/api/pipelines/hello/runs', { method: 'POST', body: JSON.stringify({ variables: { who: 'api' }, logical_date: '2025-06-01' }) });
    assert.equal(response.status, 202);
    const { run_id: runId } = (await response.json()) as { run_id: string };
    assert.equal(await finished(runId), 'succeeded');
    const preview = await sluice(dir, ['preview', 'hello', 'greet']);
    assert.match(preview.stdout, /hello api\s+2025-06-01/);
  });

  it('coalesces concurrent triggers of the same pipeline and logical date into one run', async () => {
    const body = JSON.stringify({ logical_date: '2025-07-04' });
    const answers = await Promise.all([1, 2, 3].map(() => api('/api/pipelines/hello/runs', { method: 'POST', body })));
    const ids = await Promise.all(answers.map(async (r) => ((await r.json()) as { run_id: string }).run_id));
    assert.equal(new Set(ids).size, 1, `one run: ${ids.join(', ')}`);
    assert.deepEqual(answers.map((r) => r.status).sort(), [200, 200, 202]);
  });

  it('names the problem for an unknown pipeline, a bad body and a bad date, scheduling nothing', async () => {
    const unknown = await api('/api/pipelines/nope/runs', { method: 'POST', body: '{}' });
    assert.equal(unknown.status, 404);
    assert.match(((await unknown.json()) as { error: { message: string } }).error.message, /no pipeline 'nope'/);
    const badBody = await api('/api/pipelines/hello/runs', { method: 'POST', body: JSON.stringify({ variables: { who: { nested: true } } }) });
    assert.equal(badBody.status, 400);
    const badDate = await api('/api/pipelines/hello/runs', { method: 'POST', body: JSON.stringify({ logical_date: 'someday' }) });
    assert.equal(badDate.status, 400);
    assert.match(((await badDate.json()) as { error: { message: string } }).error.message, /'someday' is not a date/);
    const runs = ((await (await api('/api/runs?pipeline=hello')).json()) as { runs: unknown[] }).runs;
    assert.equal(runs.length, 2, 'no run was created by the bad requests');
  });

  it('pages through a block output of a million rows without loading it', async (t) => {
    const { run_id: runId } = (await (await api('/api/pipelines/million/runs', { method: 'POST', body: '{}' })).json()) as { run_id: string };
    assert.equal(await finished(runId), 'succeeded');
    const started = performance.now();
    const first = await api(`/api/runs/${runId}/blocks/rows/output?offset=0&limit=100`);
    const elapsed = performance.now() - started;
    t.diagnostic(`first page of a 1,000,000-row output in ${elapsed.toFixed(0)} ms`);
    assert.equal(first.status, 200);
    const page = (await first.json()) as { total: number; columns: { name: string; type: string }[]; rows: { id: string; label: string; twice: string }[] };
    assert.equal(page.total, 1_000_000);
    assert.deepEqual(page.columns.map((c) => c.name), ['id', 'label', 'twice']);
    assert.equal(page.rows.length, 100);
    assert.ok(page.rows.every((r) => r.label === `row ${r.id}` && BigInt(r.twice) === BigInt(r.id) * 2n), 'rows intact, big integers as text');
    const again = (await (await api(`/api/runs/${runId}/blocks/rows/output?offset=0&limit=100`)).json()) as typeof page;
    assert.deepEqual(again.rows, page.rows, 'pages are stable');
    const last = (await (await api(`/api/runs/${runId}/blocks/rows/output?offset=999990&limit=100`)).json()) as typeof page;
    assert.equal(last.rows.length, 10);
    const statsStarted = performance.now();
    const stats = (await (await api(`/api/runs/${runId}/blocks/rows/stats`)).json()) as { rows: number; columns: { name: string; nulls: number; min: string; max: string }[] };
    t.diagnostic(`column stats of a 1,000,000-row output in ${(performance.now() - statsStarted).toFixed(0)} ms`);
    assert.equal(stats.rows, 1_000_000);
    assert.deepEqual(stats.columns.map((c) => [c.name, c.nulls, c.min, c.max]), [['id', 0, '0', '999999'], ['label', 0, 'row 0', 'row 999999'], ['twice', 0, '0', '1999998']]);
    assert.equal((await api(`/api/runs/${runId}/blocks/rows/output?limit=0`)).status, 400);
    assert.equal((await api(`/api/runs/${runId}/blocks/nope/output`)).status, 404);
    const logs = await api(`/api/runs/${runId}/logs`);
    assert.equal(logs.status, 200);
  });

  it('refuses to listen beyond loopback without a configured token', async () => {
    const r = await sluice(dir, ['serve', '--host', '0.0.0.0', '--port', '0'], { SLUICE_API_TOKEN: '' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /set SLUICE_API_TOKEN/);
  });
});
