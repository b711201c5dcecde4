import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { serveProject, type ServedProject } from './api-server.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('postgres');

const pgUrl = process.env.SLUICE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const pgTarget = new URL(pgUrl);

describe('sluice serve: runs use connections added after the server started', { skip }, () => {
  const table = `serve_conn_${randomBytes(4).toString('hex')}`;
  let s: ServedProject;
  const client = new pg.Client({ connectionString: pgUrl });
  before(async () => {
    await client.connect();
    s = await serveProject({}, { scheduler: true });
  });
  after(async () => {
    await s?.close();
    await client.query(`DROP TABLE IF EXISTS public.${table}`).catch(() => undefined);
    await client.end();
  });

  const pipelineFile = (schedule: string): string =>
    [
      schedule,
      'blocks:',
      '  - { name: rows, file: blocks/rows.sql }',
      '  - name: land',
      '    connection: added_later',
      '    upstream: [rows]',
      `    settings: { table: ${table}, mode: append }`,
      '',
    ].join('\n');

  it('adds a connection through the API, then a scheduled run and a backfill both use it', async () => {
    const added = await s.json('/api/connections', {
      method: 'POST',
      body: JSON.stringify({
        name: 'added_later',
        connector: 'postgres',
        settings: { host: pgTarget.hostname, port: Number(pgTarget.port || 5432), user: pgTarget.username || 'postgres', database: pgTarget.pathname.slice(1) },
        secrets: { password: `pw-${randomBytes(6).toString('hex')}` },
      }),
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    // The pipelines appear only now, so the scheduler's first sight of them is with the connection in place.
    const start = new Date(Date.now() - 1500).toISOString().slice(0, 19) + 'Z';
    const end = new Date(Date.parse(start) + 1000).toISOString();
    mkdirSync(path.join(s.dir, 'blocks'), { recursive: true });
    mkdirSync(path.join(s.dir, 'pipelines'), { recursive: true });
    writeFileSync(path.join(s.dir, 'blocks/rows.sql'), "SELECT getvariable('logical_date') AS day, 1 AS n\n");
    writeFileSync(path.join(s.dir, 'pipelines/daily.yaml'), pipelineFile(''));
    writeFileSync(path.join(s.dir, 'pipelines/ticking.yaml'), pipelineFile(`schedule: { interval: 1s, start_date: "${start}", end_date: "${end}", catchup: true }`));

    const until = Date.now() + 60_000;
    let scheduled: { id: string; status: string; error?: { message: string } } | undefined;
    while (Date.now() < until) {
      const { body } = await s.json<{ runs: { id: string; status: string; error?: { message: string } }[] }>('/api/runs?pipeline=ticking');
      scheduled = body.runs.find((r) => r.status !== 'queued' && r.status !== 'running');
      if (scheduled) break;
      await sleep(100);
    }
    assert.equal(scheduled?.status, 'succeeded', JSON.stringify(scheduled));

    const backfill = await s.json<{ runs: { run_id: string }[] }>('/api/pipelines/daily/backfills', { method: 'POST', body: JSON.stringify({ start: '2025-01-01', end: '2025-01-02' }) });
    assert.equal(backfill.status, 202, JSON.stringify(backfill.body));
    assert.equal(backfill.body.runs.length, 2);
    for (const run of backfill.body.runs) {
      const finished = await s.waitForRun(run.run_id, 60_000);
      assert.equal(finished.status, 'succeeded', JSON.stringify(finished));
    }
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM public.${table}`);
    assert.ok(rows[0].n >= 3, `the scheduled run and both backfill dates wrote rows (${rows[0].n})`);
  });
});
