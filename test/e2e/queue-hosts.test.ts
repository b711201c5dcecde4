import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testPgUrl, testRedisUrl } from '../../src/testing/prerequisite-checks.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { sluice } from './cli-helpers.ts';
import { createTestHosts, type TestHosts } from './net-namespaces.ts';
import { createQueueProject, type QueueProject } from './queue-fixtures.ts';

const skip = await requirePrerequisites('postgres', 'redis', 'network-namespaces');
const days = ['2025-02-01', '2025-02-02', '2025-02-03', '2025-02-04', '2025-02-05', '2025-02-06'];
/**
 * The output store, as sluice.yaml lines. The local folder (the default)
 * keeps outputs under the run's project folder by absolute path, so the hosts
 * still write them through this machine's disk; an object store here (its
 * endpoint reached through a forwarder like the other services) takes that
 * last shared path away.
 */
const outputStore: string[] = [];

const files = {
  'connections.yaml': "connections:\n  pg:\n    connector: postgres\n    url: '${SLUICE_METADATA_URL}'\n    schema: '${TARGET_SCHEMA}'\n",
  'pipelines/daily.yaml': [
    'blocks:',
    '  - { name: day, file: blocks/day.ts }',
    '  - { name: land, connection: pg, upstream: [day], settings: { table: daily, mode: partition, partition_column: day } }',
    '',
  ].join('\n'),
  // Names the host that ran it in every row, and takes long enough that both hosts get dates.
  'blocks/day.ts': `import os from 'node:os';
export default async (_inputs: unknown, ctx: { logicalDate: string }) => {
  await new Promise((resolve) => setTimeout(resolve, 700));
  const day = String(ctx.logicalDate).slice(0, 10);
  return Array.from({ length: 20 }, (_, i) => ({ day, i, host: os.hostname() }));
};
`,
};

describe('workers on hosts of their own (network namespaces), sharing only PostgreSQL, Redis and the output store', { skip }, () => {
  let project: QueueProject;
  let hosts: TestHosts;
  const hostDirs: string[] = [];
  before(async () => {
    if (skip) return;
    project = await createQueueProject(files, 'so-hosts', outputStore);
    Object.assign(project.env, { TARGET_SCHEMA: project.schema });
    await project.db.query(`CREATE SCHEMA IF NOT EXISTS ${project.schema}`);
    hosts = await createTestHosts(2, [
      { url: testPgUrl(), defaultPort: 5432 },
      { url: testRedisUrl(), defaultPort: 6379 },
    ]);
  });
  after(async () => {
    if (skip) return;
    // Workers first (they run inside the namespaces), then the namespaces, even when the test failed.
    await project?.cleanup();
    await hosts?.cleanup();
    for (const dir of hostDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('cannot reach the services on loopback from a host: only through its link', () => {
    const probe = `require('node:net').connect(${new URL(testPgUrl()).port || 5432}, '127.0.0.1').on('connect', () => { console.log('connected'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(0); });`;
    const said = execFileSync(hosts.hosts[0]!.exec[0]!, [...hosts.hosts[0]!.exec.slice(1), process.execPath, '-e', probe], { encoding: 'utf8' }).trim();
    assert.equal(said, 'ECONNREFUSED');
  });

  it('runs a backfill on workers on two hosts, each in its own copy of the project, and lands every date', async () => {
    for (const host of hosts.hosts) {
      // A checkout of the project on the host: the same files, its own state folder.
      const dir = mkdtempSync(path.join(os.tmpdir(), `sluice-${host.name}-`));
      hostDirs.push(dir);
      cpSync(project.dir, dir, { recursive: true, filter: (file) => !file.includes(`${path.sep}.sluice`) });
      const env = { SLUICE_METADATA_URL: host.reach(testPgUrl()), REDIS_URL: host.reach(testRedisUrl()) };
      await project.startWorker(['--concurrency', '1', '--lease', '5000'], dir, { exec: host.exec, env });
    }

    const listed = await sluice(project.dir, ['workers', '--json'], project.env);
    assert.equal(listed.code, 0, listed.stderr);
    const names = hosts.hosts.map((h) => h.name).sort();
    assert.deepEqual([...new Set((JSON.parse(listed.stdout) as { workers: { host: string }[] }).workers.map((w) => w.host))].sort(), names);

    const backfill = await sluice(project.dir, ['run', 'daily', '--backfill', `${days[0]}..${days.at(-1)}`], project.env);
    assert.equal(backfill.code, 0, backfill.stdout + backfill.stderr);
    assert.match(backfill.stdout, /6 runs, 8 at a time/);
    assert.match(backfill.stdout, /Backfill complete: 6 succeeded/);

    // Every block run was claimed by a worker on one of the hosts, and both hosts took some.
    const { rows: ledger } = await project.db.query(`SELECT state, split_part(worker, ':', 1) AS host FROM ${project.schema}.queued_block_runs`);
    assert.equal(ledger.length, 12);
    assert.ok(ledger.every((r) => r.state === 'done' && names.includes(r.host)), JSON.stringify(ledger));
    assert.deepEqual([...new Set(ledger.map((r) => r.host))].sort(), names);
    // The hosts reached PostgreSQL and Redis through their links.
    for (const host of hosts.hosts) {
      assert.ok(host.connections(testPgUrl()) > 0, `${host.name} reached PostgreSQL through its link`);
      assert.ok(host.connections(testRedisUrl()) > 0, `${host.name} reached Redis through its link`);
    }

    const { rows } = await project.db.query(`SELECT day::text AS day, count(*)::int AS n, count(DISTINCT i)::int AS i FROM ${project.schema}.daily GROUP BY day ORDER BY day`);
    assert.deepEqual(rows.map((r) => [r.day.slice(0, 10), r.n, r.i]), days.map((day) => [day, 20, 20]));
    const { rows: byHost } = await project.db.query(`SELECT DISTINCT host FROM ${project.schema}.daily ORDER BY host`);
    assert.ok(byHost.every((r) => names.includes(r.host)), `rows were made on the hosts: ${JSON.stringify(byHost)}`);
  });
});
