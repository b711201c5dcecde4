import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serveProject, type ServedProject } from './api-server.ts';

const send = (method: string, body: unknown): RequestInit => ({ method, body: JSON.stringify(body) });

describe('sluice serve: a schedule’s next times and the file-arrival trigger', () => {
  let s: ServedProject;
  const read = (file: string) => readFileSync(path.join(s.dir, file), 'utf8');

  before(async () => {
    s = await serveProject({
      'pipelines/landing.yaml': 'blocks:\n  - { name: one, file: blocks/one.sql }\n',
      'blocks/one.sql': 'SELECT 1 AS one\n',
    });
  });
  after(async () => {
    await s?.close();
  });

  it('gives the next five times of a schedule in its zone, within its start and end dates', async () => {
    const bounded = { cron: '0 6 * * *', timezone: 'Europe/Berlin', start_date: '2030-01-01', end_date: '2030-01-03' };
    const { status, body } = await s.json<{ next_runs: string[] }>('/api/pipelines/landing/triggers/preview', send('POST', { schedule: bounded }));
    assert.equal(status, 200, JSON.stringify(body));
    assert.deepEqual(body.next_runs, ['2030-01-01T05:00:00.000Z', '2030-01-02T05:00:00.000Z']);
    const open = await s.json<{ next_runs: string[] }>('/api/pipelines/landing/triggers/preview', send('POST', { schedule: { cron: '@hourly', start_date: '2030-06-01' } }));
    assert.deepEqual(open.body.next_runs, ['2030-06-01T00:00:00.000Z', '2030-06-01T01:00:00.000Z', '2030-06-01T02:00:00.000Z', '2030-06-01T03:00:00.000Z', '2030-06-01T04:00:00.000Z']);
  });

  it('writes, refuses and removes a file-arrival trigger in the pipeline file', async () => {
    const set = await s.json<{ on_file: unknown }>('/api/pipelines/landing/triggers', send('PUT', { on_file: { path: 'incoming/*.csv' } }));
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.deepEqual(set.body.on_file, { path: 'incoming/*.csv' });
    assert.match(read('pipelines/landing.yaml'), /on_file:\n\s+path: incoming\/\*\.csv/);

    const bad = await s.json<{ error: { message: string } }>('/api/pipelines/landing/triggers', send('PUT', { on_file: { path: 'in*/x.csv' } }));
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /wildcards may stand only in the file name/);
    assert.match(read('pipelines/landing.yaml'), /path: incoming\/\*\.csv/, 'a refused change writes nothing');

    const removed = await s.json<{ on_file: unknown }>('/api/pipelines/landing/triggers', send('PUT', { on_file: null }));
    assert.equal(removed.body.on_file, null);
    assert.doesNotMatch(read('pipelines/landing.yaml'), /on_file/);
  });
});
