import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testPgUrl, testRedisUrl } from '../../src/testing/prerequisite-checks.ts';
import { createS3Client } from '../../src/core/output-store/s3-client.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { startS3TestServer, type S3TestServer } from '../../src/testing/s3-test-server.ts';
import { sluice } from './cli-helpers.ts';
import { createTestHosts, type TestHosts } from './net-namespaces.ts';
import { createQueueProject, type QueueProject } from './queue-fixtures.ts';

const skip = await requirePrerequisites('postgres', 'redis', 'network-namespaces');
const days = ['2025-02-01', '2025-02-02', '2025-02-03', '2025-02-04', '2025-02-05', '2025-02-06'];
/** Every output key starts with it. */
const bucketPrefix = 'hosts';

/**
 * sluice.yaml's outputs: the test's bucket, at `endpoint` (each machine
 * reaches the object store at an address of its own; the locations, which
 * name only bucket and key, are the same for all). Credentials from
 * AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
 */
const outputsAt = (server: S3TestServer, endpoint: string): string =>
  `outputs: { store: s3, bucket: ${server.bucket}, prefix: ${bucketPrefix}, endpoint: '${endpoint}', force_path_style: true }`;

/** The Parquet files under a project's local outputs folder. */
function localOutputs(dir: string): string[] {
  const folder = path.join(dir, '.sluice/outputs');
  return existsSync(folder) ? readdirSync(folder, { recursive: true }).map(String).filter((f) => f.endsWith('.parquet')) : [];
}

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

describe('workers on hosts of their own (network namespaces, disks of their own), sharing only PostgreSQL, Redis and an S3 bucket', { skip }, () => {
  let server: S3TestServer;
  let project: QueueProject;
  let hosts: TestHosts;
  /** Each host's checkout of the project, a folder tree of its own, by host name. */
  const hostDirs = new Map<string, string>();
  /** What a host's processes must not see: every other machine's folders, and the object store's own. */
  const elsewhere = (host: string): string[] => [project.dir, server.directory, ...[...hostDirs].filter(([name]) => name !== host).map(([, dir]) => dir)];

  before(async () => {
    if (skip) return;
    server = await startS3TestServer('sluice-e2e-hosts');
    project = await createQueueProject(files, 'so-hosts', [outputsAt(server, server.endpoint)]);
    Object.assign(project.env, { TARGET_SCHEMA: project.schema, AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey });
    await project.db.query(`CREATE SCHEMA IF NOT EXISTS ${project.schema}`);
    hosts = await createTestHosts(2, [
      { url: testPgUrl(), defaultPort: 5432 },
      { url: testRedisUrl(), defaultPort: 6379 },
      { url: server.endpoint, defaultPort: 80 },
    ]);
    for (const host of hosts.hosts) {
      // A checkout of the project on the host: the same files, its own state folder, the object store at the host's address for it.
      const dir = mkdtempSync(path.join(os.tmpdir(), `sluice-${host.name}-`));
      hostDirs.set(host.name, dir);
      cpSync(project.dir, dir, { recursive: true, filter: (file) => !file.includes(`${path.sep}.sluice`) });
      const settings = readFileSync(path.join(dir, 'sluice.yaml'), 'utf8');
      const own = settings.replace(outputsAt(server, server.endpoint), outputsAt(server, host.reach(server.endpoint)));
      assert.notEqual(own, settings, 'the host has the object store at an address of its own');
      writeFileSync(path.join(dir, 'sluice.yaml'), own);
    }
  });
  after(async () => {
    if (skip) return;
    // Workers first (they run inside the namespaces), then the namespaces, even when the test failed.
    await project?.cleanup();
    await hosts?.cleanup();
    await server?.close();
    for (const dir of hostDirs.values()) rmSync(dir, { recursive: true, force: true });
  });

  it('cannot reach the services on loopback from a host: only through its link', () => {
    const probe = `require('node:net').connect(${new URL(testPgUrl()).port || 5432}, '127.0.0.1').on('connect', () => { console.log('connected'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(0); });`;
    const said = execFileSync(hosts.hosts[0]!.exec[0]!, [...hosts.hosts[0]!.exec.slice(1), process.execPath, '-e', probe], { encoding: 'utf8' }).trim();
    assert.equal(said, 'ECONNREFUSED');
  });

  it("cannot see another machine's folders from a host: only its own checkout", () => {
    const host = hosts.hosts[0]!;
    const probe = `const fs = require('node:fs'); console.log(JSON.stringify(process.argv.slice(1).map((dir) => fs.existsSync(dir + '/sluice.yaml'))));`;
    const [command, ...args] = host.execWithout(elsewhere(host.name));
    const seen = execFileSync(command!, [...args, process.execPath, '-e', probe, hostDirs.get(host.name)!, project.dir, hostDirs.get(hosts.hosts[1]!.name)!], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(seen), [true, false, false]);
    assert.ok(existsSync(path.join(project.dir, 'sluice.yaml')), 'hidden from the host only, still here');
  });

  it('runs a backfill on workers on two hosts, each in its own copy of the project, its outputs kept only in the bucket, and lands every date', async () => {
    for (const host of hosts.hosts) {
      const env = { SLUICE_METADATA_URL: host.reach(testPgUrl()), REDIS_URL: host.reach(testRedisUrl()) };
      await project.startWorker(['--concurrency', '1', '--lease', '5000'], hostDirs.get(host.name)!, { exec: host.execWithout(elsewhere(host.name)), env });
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
    const { rows: ledger } = await project.db.query(
      `SELECT q.state, split_part(q.worker, ':', 1) AS host, q.run_id, q.block, b.output FROM ${project.schema}.queued_block_runs q JOIN ${project.schema}.block_runs b USING (run_id, block)`,
    );
    assert.equal(ledger.length, 12);
    assert.ok(ledger.every((r) => r.state === 'done' && names.includes(r.host)), JSON.stringify(ledger));
    assert.deepEqual([...new Set(ledger.map((r) => r.host))].sort(), names);
    // The hosts reached PostgreSQL, Redis and the object store through their links.
    for (const host of hosts.hosts) {
      assert.ok(host.connections(testPgUrl()) > 0, `${host.name} reached PostgreSQL through its link`);
      assert.ok(host.connections(testRedisUrl()) > 0, `${host.name} reached Redis through its link`);
      assert.ok(host.connections(server.endpoint) > 0, `${host.name} reached the object store through its link`);
    }

    // Each run stored its day output as an object in the bucket, at a location that names no machine's address; the loader hands it on.
    const stored = (runId: string): string => `s3://${server.bucket}/${bucketPrefix}/daily/${runId}/day.parquet`;
    for (const r of ledger) assert.equal(r.output, stored(r.run_id), `${r.block} of ${r.run_id}`);
    const client = createS3Client({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey, partSize: 5 * 2 ** 20 });
    const keys: string[] = [];
    for await (const key of client.list(server.bucket, `${bucketPrefix}/`)) keys.push(`s3://${server.bucket}/${key}`);
    assert.deepEqual(keys.sort(), [...new Set(ledger.map((r) => stored(r.run_id)))].sort(), 'the bucket holds every output, and nothing else');
    // A host holds each output it stored or read in its own cache: it went through the object store, whichever host ran the other block.
    for (const r of ledger) {
      const cached = path.join(hostDirs.get(r.host)!, '.sluice/output-cache', server.bucket, bucketPrefix, 'daily', r.run_id);
      assert.ok(existsSync(cached) && readdirSync(cached).some((f) => f.startsWith('day.')), `${r.host} had the day output of ${r.run_id} through the object store for ${r.block}`);
    }
    for (const dir of [project.dir, ...hostDirs.values()]) assert.deepEqual(localOutputs(dir), [], `no output under ${dir}/.sluice/outputs`);

    const { rows } = await project.db.query(`SELECT day::text AS day, count(*)::int AS n, count(DISTINCT i)::int AS i FROM ${project.schema}.daily GROUP BY day ORDER BY day`);
    assert.deepEqual(rows.map((r) => [r.day.slice(0, 10), r.n, r.i]), days.map((day) => [day, 20, 20]));
    const { rows: byHost } = await project.db.query(`SELECT DISTINCT host FROM ${project.schema}.daily ORDER BY host`);
    assert.ok(byHost.every((r) => names.includes(r.host)), `rows were made on the hosts: ${JSON.stringify(byHost)}`);

    // The run's machine reads an output a host stored, from the bucket at its own address.
    const preview = await sluice(project.dir, ['preview', 'daily', 'day', '--limit', '3'], project.env);
    assert.equal(preview.code, 0, preview.stdout + preview.stderr);
    assert.ok(names.some((name) => preview.stdout.includes(name)), preview.stdout);
  });
});
