/**
 * How fast duplicate matching runs, and in how much memory:
 *
 *   npm run bench:dedupe -- [--rows 1000000] [--memory-limit 256MB] [--in-memory]
 *
 * Generates people and companies with about 10% of them written more than once
 * (typos, swapped words, casing, abbreviations, missing emails, mistyped ZIP
 * codes; see test/corpus/generate-duplicates.ts), about ten per ZIP code, and
 * runs a dedupe block over them in the data plane as a pipeline would: blocking
 * on ZIP code and on email, names by Jaro-Winkler (words sorted), streets by
 * Jaro-Winkler, emails by Levenshtein. The rows are generated and stored first;
 * the block then runs in a process of its own, so its peak resident memory is
 * the block's, not the generator's. Prints rows per second, that peak, and the
 * precision and recall of the pairs found.
 * With --in-memory it runs `findDuplicates` on the array instead.
 * Figures are reported, never asserted.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDuckDbDataPlane } from '../src/core/data-plane/duckdb-data-plane.ts';
import type { BlockRunContext } from '../src/core/run/block-runner.ts';
import { createLogger } from '../src/core/run/logger.ts';
import type { DedupeBlock } from '../src/core/pipeline/pipeline.ts';
import { runDedupeBlock } from '../src/toolkit/dedupe/dedupe-block-runner.ts';
import { findDuplicates } from '../src/index.ts';
import { generateDuplicates, scorePairs, type LabelledRecord } from '../test/corpus/generate-duplicates.ts';

const { values: args } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, 'memory-limit': { type: 'string', default: '256MB' }, 'in-memory': { type: 'boolean', default: false }, input: { type: 'string' } } });
const wanted = Number(args.rows);

const settings = {
  columns: { name: { similarity: 'jaro_winkler', weight: 2, sort_tokens: true }, street: 'jaro_winkler', email: 'levenshtein' },
  blocking: ['zip', 'email'],
  match: 0.9,
  review: 0.75,
} as const;

if (args.input) {
  await matchStored(args.input);
  process.exit(0);
}

// About 1.1 records per entity with a 10% duplicate share and a few relatives.
const records = generateDuplicates({ entities: Math.round(wanted / 1.13), duplicateShare: 0.1, seed: 1 });
console.log(`dedupe bench: ${records.length.toLocaleString('en-US')} rows, ${new Set(records.map((r) => r.entity)).size.toLocaleString('en-US')} entities`);

if (args['in-memory']) {
  const rssBefore = process.resourceUsage().maxRSS;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const clusterIds = inMemory(records);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const { precision, recall } = scorePairs(records, clusterIds);
  // The generated rows are held before matching starts; the growth of the peak past them is the matching's.
  console.log(`findDuplicates (in memory): ${seconds.toFixed(1)} s, ${Math.round(records.length / seconds).toLocaleString('en-US')} rows/s, ${((used.user + used.system) / 1e6).toFixed(1)} s of CPU, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB (${Math.round(rssBefore / 1024)} MB with the rows generated, before matching)`);
  console.log(`pairs: precision ${precision.toFixed(4)}, recall ${recall.toFixed(4)}`);
} else {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-dedupe-bench-'));
  try {
    const input = path.join(dir, 'input.parquet');
    await storeRecords(records, input, dir);
    records.length = 0;
    execFileSync(process.execPath, [...process.execArgv, process.argv[1]!, '--input', input, '--memory-limit', args['memory-limit']], { stdio: 'inherit' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function storeRecords(rows: readonly LabelledRecord[], file: string, dir: string): Promise<void> {
  const dataPlane = await createDuckDbDataPlane({ tempDir: path.join(dir, 'spill-generate') });
  const session = await dataPlane.openSession();
  async function* batches() {
    for (let i = 0; i < rows.length; i += 8192) yield rows.slice(i, i + 8192).map((r) => ({ ...r }));
  }
  await session.storeRows(batches(), file, { id: 'BIGINT', entity: 'BIGINT', name: 'VARCHAR', street: 'VARCHAR', city: 'VARCHAR', zip: 'VARCHAR', email: 'VARCHAR' });
  await session.close();
  await dataPlane.close();
}

function inMemory(rows: readonly LabelledRecord[]): number[] {
  const found = findDuplicates(rows, { columns: { name: { similarity: 'jaro_winkler', weight: 2, sortTokens: true }, street: 'jaro_winkler', email: 'levenshtein' }, blocking: ['zip', 'email'], match: 0.9, review: 0.75 });
  console.log(JSON.stringify(found.report));
  return found.clusterIds;
}

/** Runs the block over stored rows, in this process, and scores its clusters against the rows' entities in SQL. */
async function matchStored(file: string): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-dedupe-bench-run-'));
  try {
    const dataPlane = await createDuckDbDataPlane({ tempDir: path.join(dir, 'spill'), memoryLimit: args['memory-limit'] });
    const session = await dataPlane.openSession();
    const rows = Number((await session.query(`SELECT count(*) AS n FROM read_parquet('${file.replaceAll("'", "''")}')`))[0]!.n);
    const input = { location: file, rows, columns: await session.describe(`SELECT * FROM read_parquet('${file.replaceAll("'", "''")}')`) };
    await session.attach('people', input);
    const block: DedupeBlock = { name: 'people_deduped', declaredName: 'people_deduped', role: 'transformer', upstream: ['people'], declaredAt: { file: 'bench' }, language: 'dedupe', part: 'clusters', settings };
    const tempDir = path.join(dir, 'tmp');
    mkdirSync(tempDir, { recursive: true });
    const context = {
      session,
      inputs: [{ name: 'people', output: input }],
      outputLocation: path.join(dir, 'out.parquet'),
      tempDir,
      // A project folder without review decisions, so every pair is judged by its scores alone.
      project: { root: dir } as BlockRunContext['project'],
      pipeline: { name: 'bench' } as BlockRunContext['pipeline'],
      signal: new AbortController().signal,
      logger: createLogger((level, message) => console.log(`${level}: ${message}`)),
    } as Partial<BlockRunContext> as BlockRunContext;
    const started = performance.now();
    const cpu = process.cpuUsage();
    const result = await runDedupeBlock(block, context);
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    console.log(`dedupe block (data plane): ${seconds.toFixed(1)} s, ${Math.round(rows / seconds).toLocaleString('en-US')} rows/s, ${((used.user + used.system) / 1e6).toFixed(1)} s of CPU, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB (memory limit ${args['memory-limit']})`);
    console.log(result.summary);
    await session.attach('deduped', result.output!);
    // Pairs within an entity (true), within a cluster (found), and within both (right).
    const pairs = (groups: string): string => `(SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM (SELECT count(*) AS n FROM deduped GROUP BY ${groups}))`;
    const [scores] = await session.query(`SELECT ${pairs('entity')} AS truth, ${pairs('cluster_id')} AS found, ${pairs('entity, cluster_id')} AS right_pairs`);
    const right = Number(scores!.right_pairs);
    console.log(`pairs: precision ${(right / Number(scores!.found)).toFixed(4)}, recall ${(right / Number(scores!.truth)).toFixed(4)}`);
    await session.close();
    await dataPlane.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
