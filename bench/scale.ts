/**
 * Scaling out within one run, and across processes, measured side by side in one run:
 *
 *   npm run bench:scale -- [--blocks 16] [--wait-ms 1000] [--queue-blocks 1000] [--workers 2]
 *                          [--backfill-days 365] [--backfill-parallel 16] [--backfill-workers 1,2]
 *                          [--kills 10] [--lease-ms 2000] [--profile DIR]
 *
 * A wide DAG: N independent TypeScript blocks that each wait, run through the CLI with
 * `--concurrency N` and then with `--concurrency 1` (one after another). Reports the run's own
 * time of each, the speed-up, and how many block runs the run store saw running at once (what the
 * UI's Gantt draws). The target for 16 blocks of 1 s is under 2.5 s at concurrency 16.
 *
 * Then, unless --queue-blocks is 0: N trivial SQL blocks run with the in-process executor and then
 * through the queue (Redis, PostgreSQL metadata) on `--workers` `sluice worker` processes, at the
 * same number of block runs at once. Reports blocks per second of each and the overhead the queue
 * adds per block (target under 15 ms). Needs PostgreSQL and Redis (SLUICE_TEST_PG_URL,
 * SLUICE_TEST_REDIS_URL).
 *
 * Then, unless --backfill-days is 0: the sales example's daily backfill through the queue on one
 * worker and then two (rows/s and their ratio, and the CPU each date cost the workers, the submitting
 * process and PostgreSQL: on a loaded machine the ratio says little, the CPU per date still holds;
 * beside them the machine's idle CPU and the wake-ups waiting in Redis, so a pass shows whether its
 * workers ran out of work;
 * `--backfill-workers 1` runs only the one-worker pass), and unless --kills is 0: the time another worker
 * takes to claim a block run whose worker was killed, median over --kills kills (bench/scale-fleet.ts).
 * `--profile DIR` writes a V8 CPU profile of each worker and backfill submitter into DIR (`node --cpu-prof`).
 * Timings are reported, never asserted.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { mostAtOnce } from '../src/testing/most-at-once.ts';
import { benchQueue } from './scale-queue.ts';
import { benchBackfill, benchRecovery } from './scale-fleet.ts';
import { sluiceNodeArgs } from './fleet.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(REPO, 'bin', 'sluice.js');
const TARGET_MS = 2500;

const { values } = parseArgs({
  options: {
    blocks: { type: 'string', default: '16' },
    'wait-ms': { type: 'string', default: '1000' },
    'queue-blocks': { type: 'string', default: '1000' },
    workers: { type: 'string', default: '2' },
    'backfill-days': { type: 'string', default: '365' },
    'backfill-parallel': { type: 'string', default: '16' },
    'backfill-workers': { type: 'string', default: '1,2' },
    kills: { type: 'string', default: '10' },
    'lease-ms': { type: 'string', default: '2000' },
    profile: { type: 'string' },
  },
});
const blocks = Number(values.blocks);
const waitMs = Number(values['wait-ms']);

function wideProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-scale-'));
  const lines = ['blocks:', ...Array.from({ length: blocks }, (_, i) => `  - { name: wait_${i}, file: blocks/wait.ts }`)];
  const files = {
    'sluice.yaml': 'name: bench_scale\n',
    'pipelines/wide.yaml': `${lines.join('\n')}\n`,
    'blocks/wait.ts': `export default async () => {\n  await new Promise((resolve) => setTimeout(resolve, ${waitMs}));\n  return [{ waited: ${waitMs} }];\n};\n`,
  };
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), content);
  }
  return dir;
}

interface Measured {
  readonly concurrency: number;
  readonly wallMs: number;
  readonly runMs: number;
  readonly mostAtOnce: number;
}

function runWide(dir: string, concurrency: number): Measured {
  const started = process.hrtime.bigint();
  const stdout = execFileSync(process.execPath, [BIN, 'run', 'wide', '--concurrency', String(concurrency)], {
    cwd: dir,
    env: { ...process.env, CI: '1', NO_COLOR: '1' },
    encoding: 'utf8',
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const id = /Run succeeded (\S+):/.exec(stdout)?.[1];
  if (!id) throw new Error(`the run did not succeed:\n${stdout}`);
  const db = new Database(join(dir, '.sluice', 'sluice.db'), { readonly: true });
  try {
    const run = db.prepare('SELECT started_at, ended_at FROM runs WHERE id = ?').get(id) as { started_at: string; ended_at: string };
    const spans = db.prepare('SELECT started_at AS startedAt, ended_at AS endedAt FROM block_runs WHERE run_id = ?').all(id) as { startedAt: string; endedAt: string }[];
    return { concurrency, wallMs, runMs: Date.parse(run.ended_at) - Date.parse(run.started_at), mostAtOnce: mostAtOnce(spans) };
  } finally {
    db.close();
  }
}

function benchWide(): void {
  const dir = wideProject();
  try {
    console.log(`wide DAG: ${blocks} independent blocks that each wait ${waitMs} ms (load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
    // A first run warms the caches (module compile, DuckDB load) that both measured runs then share.
    runWide(dir, blocks);
    const wide = runWide(dir, blocks);
    const sequential = runWide(dir, 1);
    for (const m of [wide, sequential]) {
      console.log(
        `  concurrency ${String(m.concurrency).padStart(2)}: run ${(m.runMs / 1000).toFixed(2)} s, wall ${(m.wallMs / 1000).toFixed(2)} s (process start included), ${m.mostAtOnce} block runs at once`,
      );
    }
    console.log(`  speed-up ${(sequential.runMs / wide.runMs).toFixed(1)}x; overhead over one wait: ${Math.max(0, wide.runMs - waitMs)} ms`);
    if (blocks === 16 && waitMs === 1000) console.log(`  target under ${TARGET_MS / 1000} s at concurrency 16: ${wide.runMs < TARGET_MS ? 'met' : 'missed'}`);
    console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (values.profile) sluiceNodeArgs.push('--cpu-prof', '--cpu-prof-dir', resolve(values.profile));
if (blocks > 0) benchWide();
const queueBlocks = Number(values['queue-blocks']);
if (queueBlocks > 0) await benchQueue(queueBlocks, Number(values.workers));
const backfillDays = Number(values['backfill-days']);
if (backfillDays > 0) await benchBackfill(backfillDays, Number(values['backfill-parallel']), values['backfill-workers'].split(',').map(Number));
const kills = Number(values.kills);
if (kills > 0) await benchRecovery(kills, Number(values['lease-ms']));
