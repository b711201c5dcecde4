// Cold start of Sluice as a library: a fresh `node` process that imports 'sluice', opens a fresh
// copy of the sales example and runs daily_sales to its end (examples/function-handler/invoke.mjs,
// the local stand-in for a serverless function's first invocation). Prints the median of N runs,
// with TypeScript's transform cache (tsx, in the temporary folder) warm and empty, and the load.
//
//   npm run bench:library            5 processes of each kind
//   npm run bench:library -- 9       9 of each
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../', import.meta.url));
const runs = Number(process.argv[2] ?? 5);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`give the number of processes as a whole number; got '${process.argv[2]}'`);

interface ColdStart {
  /** From spawning `node` to its exit, the run finished and the project closed. */
  readonly wallMs: number;
  /** What runPipeline itself took, as the run result says. */
  readonly runMs: number;
}

const loadAverage = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** One fresh process on a fresh copy of the example; fails loudly unless the run succeeded. */
async function coldStart(tsxCache: 'warm' | 'empty'): Promise<ColdStart> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-library-'));
  const project = path.join(scratch, 'sales');
  cpSync(path.join(repo, 'examples/sales'), project, { recursive: true, filter: (src) => !src.split(path.sep).includes('.sluice') });
  // tsx keeps its transform cache in the temporary folder: a new one is an empty cache, as on a new machine.
  const env = { ...process.env, NODE_OPTIONS: '', SLUICE_PROJECT: project, ...(tsxCache === 'empty' ? { TMPDIR: scratch } : {}) };
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(repo, 'examples/function-handler/invoke.mjs')], { cwd: scratch, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const wallMs = performance.now() - started;
  rmSync(scratch, { recursive: true, force: true });
  if (code !== 0) throw new Error(`the run did not succeed (exit ${code}):\n${stdout}\n${stderr}`);
  const answer = JSON.parse(stdout) as { body: { status: string; durationMs: number } };
  if (answer.body.status !== 'succeeded') throw new Error(`the run ${answer.body.status}:\n${stdout}`);
  return { wallMs, runMs: answer.body.durationMs };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

console.log(`Sluice library cold start: node ${process.version}, ${os.cpus().length} cores, ${runs} fresh processes each; load average ${loadAverage()}`);
await coldStart('warm'); // fills the transform cache the 'warm' runs read
for (const cache of ['warm', 'empty'] as const) {
  const measured: ColdStart[] = [];
  for (let i = 0; i < runs; i++) measured.push(await coldStart(cache));
  const walls = measured.map((m) => m.wallMs);
  const startup = measured.map((m) => m.wallMs - m.runMs);
  console.log(
    `  tsx cache ${cache.padEnd(5)}  process to finished run: median ${seconds(median(walls))} (min ${seconds(Math.min(...walls))}, max ${seconds(Math.max(...walls))});` +
      ` of which outside the run (node, loading Sluice, opening and closing): median ${seconds(median(startup))}`,
  );
}
console.log(`  load average at the end: ${loadAverage()}`);
