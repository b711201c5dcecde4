/**
 * The queue's cost, measured beside the in-process executor in one run (see bench/scale.ts):
 * N trivial blocks, once in the run's process and once through Redis to `sluice worker`
 * processes, at the same number of block runs at once, on the same PostgreSQL run store.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { BIN, benchEnv as env, fleetPlace, load, pgUrl, startWorker, stopWorker, writeFiles } from './fleet.ts';

const TARGET_OVERHEAD_MS = 15;

export async function benchQueue(blocks: number, workers: number, slotsPerWorker = 2): Promise<void> {
  const place = fleetPlace('queue');
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-queue-'));
  const atOnce = workers * slotsPerWorker;
  const write = (file: string, content: string): void => writeFiles(dir, { [file]: content });
  write('pipelines/trivial.yaml', ['blocks:', ...Array.from({ length: blocks }, (_, i) => `  - { name: b${i}, file: blocks/one.sql }`), ''].join('\n'));
  write('blocks/one.sql', 'SELECT 1 AS n\n');
  const db = new pg.Client(pgUrl);
  await db.connect();
  /** Runs the pipeline through the CLI and returns the run's own time, from its record. */
  const run = async (): Promise<number> => {
    const stdout = execFileSync(process.execPath, [BIN, 'run', 'trivial', '--concurrency', String(atOnce)], { cwd: dir, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const id = /Run succeeded (\S+):/.exec(stdout)?.[1];
    if (!id) throw new Error(`the run did not succeed:\n${stdout.slice(-2000)}`);
    const { rows } = await db.query<{ ms: number }>(`SELECT extract(epoch FROM ended_at - started_at) * 1000 AS ms FROM ${place.schema}.runs WHERE id = $1`, [id]);
    return Number(rows[0]!.ms);
  };
  const children: ChildProcess[] = [];
  try {
    console.log(`\n${blocks} trivial blocks, ${atOnce} at once: in-process executor, then a Redis queue to ${workers} workers of ${slotsPerWorker} slots (load average before: ${load()})`);
    write('sluice.yaml', `name: bench_queue\n${place.metadata}\n`);
    await run(); // warms the caches both measured runs share (module compile, DuckDB load, the run store's tables)
    const inProcessMs = await run();
    write('sluice.yaml', `name: bench_queue\n${place.metadata}\n${place.queue}\n`);
    for (let i = 0; i < workers; i++) children.push(await startWorker(dir, ['--concurrency', String(slotsPerWorker)]));
    const queuedMs = await run();
    const perSecond = (ms: number): string => (blocks / (ms / 1000)).toFixed(0);
    const overhead = (queuedMs - inProcessMs) / blocks;
    console.log(`  in-process: ${(inProcessMs / 1000).toFixed(2)} s, ${perSecond(inProcessMs)} blocks/s`);
    console.log(`  queue     : ${(queuedMs / 1000).toFixed(2)} s, ${perSecond(queuedMs)} blocks/s`);
    console.log(`  overhead per block: ${overhead.toFixed(1)} ms of run time (${(overhead * atOnce).toFixed(1)} ms of each block run's latency, ${atOnce} at once); target under ${TARGET_OVERHEAD_MS} ms: ${overhead < TARGET_OVERHEAD_MS ? 'met' : 'missed'}`);
    console.log(`load average after: ${load()}`);
  } finally {
    for (const child of children) await stopWorker(child);
    await place.drop(db);
    await db.end();
    rmSync(dir, { recursive: true, force: true });
  }
}
