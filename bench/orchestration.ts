/**
 * Orchestration overhead, measured side by side in one run:
 *
 *   npm run bench:orchestration -- [--blocks 100] [--pipelines 500] [--seconds 75]
 *
 * 1. A pipeline of N trivial blocks (a chain of `SELECT 1`), end to end through the CLI, next to a
 *    one-block pipeline and a bare `node` start in the same run: total wall time, the run's own
 *    time, and the overhead per block ((N-block run - 1-block run) / (N - 1)).
 * 2. The delay between a schedule's tick and its run starting (interval: 1s, 10 ticks).
 * 3. The scheduler's CPU while P pipelines are each scheduled every minute (their runs included),
 *    over --seconds, read from /proc.
 * Timings are reported, never asserted.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(REPO, 'bin', 'sluice.js');
const TICKS_PER_SECOND = 100;

const { values } = parseArgs({
  options: {
    blocks: { type: 'string', default: '100' },
    pipelines: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '75' },
  },
});
const blocks = Number(values.blocks);
const pipelines = Number(values.pipelines);
const seconds = Number(values.seconds);

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-orch-'));
  for (const [file, content] of Object.entries({ 'sluice.yaml': 'name: bench\n', ...files })) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), content);
  }
  return dir;
}

function chain(n: number): Record<string, string> {
  const lines = ['blocks:'];
  for (let i = 0; i < n; i++) lines.push(`  - { name: b${i}, file: blocks/one.sql${i ? `, upstream: [b${i - 1}]` : ''} }`);
  return { [`pipelines/chain${n}.yaml`]: `${lines.join('\n')}\n`, 'blocks/one.sql': 'SELECT 1 AS x\n' };
}

function timed(command: string, args: string[], cwd: string): { wallMs: number; stdout: string } {
  const started = process.hrtime.bigint();
  const stdout = execFileSync(command, args, { cwd, env: { ...process.env, CI: '1', NO_COLOR: '1' }, encoding: 'utf8' });
  return { wallMs: Number(process.hrtime.bigint() - started) / 1e6, stdout };
}

function runTime(stdout: string): number {
  const match = /blocks? in ([\d.]+)(ms|s)/.exec(stdout);
  if (!match) throw new Error(`no run time in:\n${stdout}`);
  return Number(match[1]) * (match[2] === 's' ? 1000 : 1);
}

function median(list: number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function blockOverhead(): void {
  const dir = project({ ...chain(blocks), ...chain(1) });
  try {
    const node = median([1, 2, 3].map(() => timed(process.execPath, ['-e', ''], dir).wallMs));
    const one = [1, 2, 3].map(() => timed(process.execPath, [BIN, 'run', 'chain1'], dir));
    const many = [1, 2, 3].map(() => timed(process.execPath, [BIN, 'run', `chain${blocks}`], dir));
    const oneRun = median(one.map((r) => runTime(r.stdout)));
    const manyRun = median(many.map((r) => runTime(r.stdout)));
    console.log(`\n1. ${blocks}-block pipeline of trivial blocks (median of 3)`);
    console.log(`   bare node start              ${node.toFixed(0)} ms`);
    console.log(`   1-block pipeline, wall       ${median(one.map((r) => r.wallMs)).toFixed(0)} ms (run ${oneRun.toFixed(0)} ms)`);
    console.log(`   ${blocks}-block pipeline, wall     ${median(many.map((r) => r.wallMs)).toFixed(0)} ms (run ${manyRun.toFixed(0)} ms)   target < 2000 ms`);
    console.log(`   overhead per block           ${((manyRun - oneRun) / (blocks - 1)).toFixed(1)} ms   target < 20 ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function scheduler(dir: string, runFor: number): Promise<{ cpuMs: number; output: string }> {
  const child = spawn(process.execPath, [BIN, 'scheduler', '--poll', '100'], { cwd: dir, env: { ...process.env, CI: '1', NO_COLOR: '1' } });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  await new Promise((r) => setTimeout(r, runFor));
  const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime, stime, cutime, cstime (fields 14-17 of /proc/PID/stat)
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(stat[i]), 0);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  return { cpuMs: (ticks / TICKS_PER_SECOND) * 1000, output };
}

async function tickDelay(): Promise<void> {
  const start = new Date(Math.ceil(Date.now() / 1000) * 1000).toISOString();
  const dir = project({
    'pipelines/tick.yaml': `schedule: { interval: 1s, start_date: "${start}", catchup: true, max_active_runs: 3 }\nblocks:\n  - { name: one, file: blocks/one.sql }\n`,
    'blocks/one.sql': 'SELECT 1 AS x\n',
  });
  try {
    await scheduler(dir, 11_500);
    const db = new Database(join(dir, '.sluice/sluice.db'), { readonly: true });
    const rows = db.prepare(`SELECT logical_date, started_at FROM runs WHERE trigger = 'schedule' ORDER BY logical_date`).all() as { logical_date: string; started_at: string }[];
    db.close();
    // A run for the interval starting at L fires when the interval ends, at L + 1 s.
    const delays = rows.slice(1).map((r) => Date.parse(r.started_at) - (Date.parse(r.logical_date) + 1000));
    console.log(`\n2. tick -> run start delay, interval 1s, ${delays.length} ticks`);
    console.log(`   median ${median(delays).toFixed(0)} ms, max ${Math.max(...delays).toFixed(0)} ms   target < 1000 ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function manyPipelines(): Promise<void> {
  const files: Record<string, string> = { 'blocks/one.sql': 'SELECT 1 AS x\n' };
  for (let i = 0; i < pipelines; i++) files[`pipelines/p${i}.yaml`] = `schedule: { cron: "* * * * *" }\nblocks:\n  - { name: one, file: blocks/one.sql }\n`;
  const dir = project(files);
  try {
    const { cpuMs, output } = await scheduler(dir, seconds * 1000);
    const fired = (output.match(/^→ /gm) ?? []).length;
    const ok = (output.match(/^✓ /gm) ?? []).length;
    console.log(`\n3. scheduler with ${pipelines} pipelines scheduled every minute, ${seconds} s`);
    console.log(`   runs fired ${fired}, succeeded ${ok}; scheduler CPU ${(cpuMs / 1000).toFixed(1)} s = ${((cpuMs / (seconds * 1000)) * 100).toFixed(1)}% of one core (runs included)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

blockOverhead();
await tickDelay();
await manyPipelines();
