import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { serveProject, type ServedProject } from './api-server.ts';

interface Entry {
  actor: string;
  action: string;
  target: string;
  detail: { files?: { file: string; change: string; diff: string }[]; [key: string]: unknown };
}

const hookSecret = `hook-secret-${process.pid}-${Date.now()}`;

/**
 * Changes made through the API to pipelines, blocks and alerts are audit
 * entries of their own kind, with who made them, the files they touched and
 * each file's diff, and never an alert's secret address; runs retried and
 * cancelled are recorded too.
 */
describe('sluice serve: the audit log records pipeline, block and alert edits with their diffs, and runs retried or cancelled', () => {
  let s: ServedProject;
  const send = async (method: string, route: string, body?: unknown) => {
    const answer = await s.json<Record<string, unknown>>(route, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    assert.ok(answer.status < 300, `${method} ${route}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const newest = async (): Promise<Entry> => (await s.json<{ entries: Entry[] }>('/api/audit?limit=1')).body.entries[0]!;
  const files = (entry: Entry) => (entry.detail.files ?? []).map((f) => `${f.change} ${f.file}`);

  before(async () => {
    s = await serveProject({
      'pipelines/daily.yaml': 'schedule: { cron: "0 6 * * *" }\nblocks:\n  - { name: one, file: blocks/one.sql }\n',
      'blocks/one.sql': 'SELECT 1 AS n\n',
      'pipelines/fragile.yaml': 'blocks:\n  - { name: bad, file: blocks/bad.sql }\n',
      'blocks/bad.sql': 'SELECT * FROM no_such_table\n',
    });
  });
  after(async () => s?.close());

  it('records a pipeline created and deleted, with the file it wrote and removed', async () => {
    await send('POST', '/api/pipelines', { name: 'weekly', description: 'Every Monday' });
    const created = await newest();
    assert.equal(`${created.actor} ${created.action} ${created.target}`, 'token pipeline.create weekly');
    assert.deepEqual(files(created), ['created pipelines/weekly.yaml']);
    assert.match(created.detail.files![0]!.diff, /^\+description: "Every Monday"$/m);
    await send('DELETE', '/api/pipelines/weekly');
    const deleted = await newest();
    assert.equal(`${deleted.action} ${deleted.target}`, 'pipeline.delete weekly');
    assert.deepEqual(files(deleted), ['deleted pipelines/weekly.yaml']);
  });

  it('records a block added, changed and removed, each with the pipeline file and block file diffs', async () => {
    await send('POST', '/api/pipelines/daily/blocks', { name: 'two', template: 'sql', upstream: ['one'] });
    const added = await newest();
    assert.equal(`${added.action} ${added.target}`, 'block.add daily/two');
    assert.deepEqual(files(added), ['created blocks/two.sql', 'edited pipelines/daily.yaml']);
    assert.match(added.detail.files![1]!.diff, /^\+.*name: two/m);

    await send('PATCH', '/api/pipelines/daily/blocks/two', { name: 'second' });
    const renamed = await newest();
    assert.equal(`${renamed.action} ${renamed.target}`, 'block.update daily/two');
    assert.deepEqual(renamed.detail.renamedTo, 'second');
    assert.match(renamed.detail.files!.find((f) => f.file === 'pipelines/daily.yaml')!.diff, /^-.*name: two[\s\S]*^\+.*name: second/m);

    await send('DELETE', '/api/pipelines/daily/blocks/second');
    const removed = await newest();
    assert.equal(`${removed.action} ${removed.target}`, 'block.remove daily/second');
    assert.ok(files(removed).includes('edited pipelines/daily.yaml'), JSON.stringify(files(removed)));
  });

  it('records alert channels added, changed, tested and removed, with the file diff and never the secret address', async () => {
    await send('POST', '/api/alerts/pipelines/daily', { on: ['failure'], kind: 'webhook', url: `http://127.0.0.1:9/${hookSecret}` });
    const added = await newest();
    assert.equal(`${added.action} ${added.target}`, 'alert.add daily');
    assert.deepEqual({ kind: added.detail.kind, on: added.detail.on }, { kind: 'webhook', on: ['failure'] });
    assert.deepEqual(files(added), ['edited pipelines/daily.yaml']);
    assert.match(added.detail.files![0]!.diff, /^\+.*webhook/m);

    await send('PATCH', '/api/alerts/pipelines/daily/0', { on: ['failure', 'success'] });
    const changed = await newest();
    assert.equal(`${changed.action} ${changed.target}`, 'alert.update daily');
    assert.match(changed.detail.files![0]!.diff, /success/);

    await send('POST', '/api/alerts/pipelines/daily/0/test');
    const tested = await newest();
    assert.equal(`${tested.action} ${tested.target}`, 'alert.test daily');
    assert.equal(tested.detail.ok, false, 'nothing listens on port 9');

    await send('DELETE', '/api/alerts/pipelines/daily/0');
    const removed = await newest();
    assert.equal(`${removed.action} ${removed.target}`, 'alert.remove daily');
    assert.deepEqual(files(removed), ['edited pipelines/daily.yaml']);

    const everything = await s.api('/api/audit?limit=1000');
    assert.doesNotMatch(await everything.text(), new RegExp(hookSecret), 'the secret address is in no entry');
  });

  it('records a run retried, and a queued run cancelled', async () => {
    const { run_id: failed } = (await send('POST', '/api/pipelines/fragile/runs', {})) as { run_id: string };
    assert.equal((await s.waitForRun(failed)).status, 'failed');
    const { run_id: retry } = (await send('POST', `/api/runs/${failed}/retry`, {})) as { run_id: string };
    const retried = await newest();
    assert.equal(`${retried.action} ${retried.target}`, `run.retry fragile/${retry}`);
    assert.deepEqual({ retryOf: retried.detail.retryOf, blocks: retried.detail.blocks }, { retryOf: failed, blocks: ['bad'] });
    await s.waitForRun(retry);

    // Without a scheduler a backfill's runs wait in the queue.
    const { runs } = (await send('POST', '/api/pipelines/daily/backfills', { start: '2025-01-01', end: '2025-01-01' })) as { runs: { run_id: string }[] };
    await send('POST', `/api/runs/${runs[0]!.run_id}/cancel`);
    const cancelled = await newest();
    assert.equal(`${cancelled.action} ${cancelled.target}`, `run.cancel daily/${runs[0]!.run_id}`);
    assert.deepEqual(cancelled.detail, { was: 'queued' });
  });
});
