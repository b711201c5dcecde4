/**
 * How fast duplicate matching runs, and in how much memory:
 *
 *   npm run bench:dedupe -- [--rows 1000000] [--memory-limit 160MB] [--in-memory]
 *
 * Generates people and companies with about 10% of them written more than once
 * (typos, swapped words, casing, abbreviations, missing emails, mistyped ZIP
 * codes; see test/corpus/generate-duplicates.ts), about ten per ZIP code, and
 * runs a dedupe block over them in the data plane as a pipeline would: blocking
 * on ZIP code and on email, names by Jaro-Winkler (words sorted), streets by
 * Jaro-Winkler, emails by Levenshtein. Prints rows per second, the peak resident
 * memory of the process, and the precision and recall of the pairs found.
 * With --in-memory it runs `findDuplicates` on the array instead.
 * Figures are reported, never asserted.
 */
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

const { values: args } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, 'memory-limit': { type: 'string', default: '160MB' }, 'in-memory': { type: 'boolean', default: false } } });
const wanted = Number(args.rows);

const settings = {
  columns: { name: { similarity: 'jaro_winkler', weight: 2, sort_tokens: true }, street: 'jaro_winkler', email: 'levenshtein' },
  blocking: ['zip', 'email'],
  match: 0.9,
  review: 0.75,
} as const;

// About 1.1 records per entity with a 10% duplicate share and a few relatives.
const records = generateDuplicates({ entities: Math.round(wanted / 1.13), duplicateShare: 0.1, seed: 1 });
console.log(`dedupe bench: ${records.length.toLocaleString('en-US')} rows, ${new Set(records.map((r) => r.entity)).size.toLocaleString('en-US')} entities`);

const started = performance.now();
const clusterIds = args['in-memory'] ? inMemory(records) : await inDataPlane(records);
const seconds = (performance.now() - started) / 1000;
const { precision, recall } = scorePairs(records, clusterIds);
console.log(`${args['in-memory'] ? 'findDuplicates (in memory)' : 'dedupe block (data plane)'}: ${seconds.toFixed(1)} s, ${Math.round(records.length / seconds).toLocaleString('en-US')} rows/s, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
console.log(`pairs: precision ${precision.toFixed(4)}, recall ${recall.toFixed(4)}`);

function inMemory(rows: readonly LabelledRecord[]): number[] {
  const found = findDuplicates(rows, { columns: { name: { similarity: 'jaro_winkler', weight: 2, sortTokens: true }, street: 'jaro_winkler', email: 'levenshtein' }, blocking: ['zip', 'email'], match: 0.9, review: 0.75 });
  console.log(JSON.stringify(found.report));
  return found.clusterIds;
}

async function inDataPlane(rows: readonly LabelledRecord[]): Promise<number[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-dedupe-bench-'));
  try {
    const dataPlane = await createDuckDbDataPlane({ tempDir: path.join(dir, 'spill'), memoryLimit: args['memory-limit'] });
    const session = await dataPlane.openSession();
    async function* batches() {
      for (let i = 0; i < rows.length; i += 8192) yield rows.slice(i, i + 8192).map((r) => ({ ...r }));
    }
    const input = await session.storeRows(batches(), path.join(dir, 'input.parquet'), { id: 'BIGINT', entity: 'BIGINT', name: 'VARCHAR', street: 'VARCHAR', city: 'VARCHAR', zip: 'VARCHAR', email: 'VARCHAR' });
    await session.attach('people', input);
    const block: DedupeBlock = { name: 'people_deduped', declaredName: 'people_deduped', role: 'transformer', upstream: ['people'], declaredAt: { file: 'bench' }, language: 'dedupe', part: 'clusters', settings };
    const tempDir = path.join(dir, 'tmp');
    mkdirSync(tempDir, { recursive: true });
    const context = {
      session,
      inputs: [{ name: 'people', output: input }],
      outputLocation: path.join(dir, 'out.parquet'),
      tempDir,
      signal: new AbortController().signal,
      logger: createLogger((level, message) => console.log(`${level}: ${message}`)),
    } as Partial<BlockRunContext> as BlockRunContext;
    const blockStarted = performance.now();
    const result = await runDedupeBlock(block, context);
    console.log(`block: ${((performance.now() - blockStarted) / 1000).toFixed(1)} s, ${result.summary}`);
    await session.attach('deduped', result.output!);
    const clusterIds = new Array<number>(rows.length);
    // The block numbers rows from 1 in input order; ids here are those numbers too.
    for await (const batch of session.stream('SELECT id, cluster_id FROM deduped')) for (const r of batch) clusterIds[Number(r.id) - 1] = Number(r.cluster_id) - 1;
    await session.close();
    await dataPlane.close();
    return clusterIds;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
