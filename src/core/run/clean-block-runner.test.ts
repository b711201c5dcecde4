import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { createDuckDbDataPlane } from '../data-plane/duckdb-data-plane.ts';
import type { DataPlane, DataPlaneSession } from '../data-plane/data-plane.ts';
import { SluiceError } from '../errors.ts';
import { loadPipeline } from '../pipeline/load-pipeline.ts';
import type { CleanBlock } from '../pipeline/pipeline.ts';
import type { BlockRunContext } from './block-runner.ts';
import { checkCleanBlock, createCleanBlockRunner, defineCleanTool, type CleanTools } from './clean-block-runner.ts';
import { cleanReviewFile, readCleanReviews } from './clean-review.ts';

/** A tool small enough to check by eye: upper-cases codes, flags those holding an x, and says which day it was given. */
const seenDates: (string | undefined)[] = [];
const tools: CleanTools = {
  upper: defineCleanTool(z.strictObject({ suffix: z.string().optional() }), (values, settings, context) => {
    seenDates.push(context.logicalDate);
    return values.map((v) => {
      if (v === null || v === undefined) return { value: null };
      const text = String(v);
      return text.includes('x') ? { value: null, flag: 'unrecognised', reason: `"${text}" holds an x` } : { value: text.toUpperCase() + (settings.suffix ?? '') };
    });
  }),
  /** Leaves values holding an x undecided, naming what they may stand for, as a dictionary does. */
  near: defineCleanTool(z.strictObject({}), (values) =>
    values.map((v) => (String(v).includes('x') ? { value: null, flag: 'review', reason: 'close to BOX', candidates: [{ value: 'BOX', score: 0.9 }] } : { value: v === null ? null : String(v) })),
  ),
  /** Stands for a dictionary tool: its settings name a dictionary, which gives the clean block a review block. */
  lookup: defineCleanTool(z.strictObject({ dictionary: z.string() }), (values) =>
    values.map((v) => {
      const text = v === null || v === undefined ? '' : String(v);
      if (text.includes('x')) return { value: null, flag: 'review', reason: `"${text}" is close to BOX`, candidates: [{ value: 'BOX', score: 0.9 }, { value: 'BAG', score: 0.55 }] };
      if (text.endsWith('99')) return { value: null, flag: 'review', reason: `"${text}" is like nothing`, candidates: [] };
      return { value: text || null };
    }),
  ),
};
const runClean = createCleanBlockRunner(tools);

describe('the clean block runner', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'sluice-clean-'));
  let dataPlane: DataPlane;
  let session: DataPlaneSession;
  const write = (file: string, text: string): void => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };
  const cleanBlock = (clean: string): CleanBlock => {
    write('pipelines/p.yaml', `blocks:\n  - { name: raw, file: blocks/raw.sql }\n  - name: tidy\n    upstream: [raw]\n    clean:\n${clean}`);
    const block = loadPipeline(root, 'p').blocks.find((b) => b.name === 'tidy');
    assert.equal(block?.language, 'clean');
    return block as CleanBlock;
  };
  let n = 0;
  const run = async (block: CleanBlock) => {
    const context = {
      session,
      project: { root, stateDir: path.join(root, '.sluice') },
      pipeline: { name: 'p' },
      runId: `run-${n + 1}`,
      inputs: [{ name: 'raw', output: upstream }],
      logicalDate: '2024-03-10',
      outputLocation: path.join(root, 'out', `tidy-${++n}.parquet`),
      tempDir: path.join(root, 'tmp', String(n)),
      signal: new AbortController().signal,
    } as unknown as BlockRunContext;
    mkdirSync(context.tempDir, { recursive: true });
    return runClean(block, context);
  };
  let upstream: Awaited<ReturnType<DataPlaneSession['storeQuery']>>;

  before(async () => {
    write('sluice.yaml', 'name: clean\n');
    write('blocks/raw.sql', 'select 1\n');
    mkdirSync(path.join(root, 'out'));
    dataPlane = await createDuckDbDataPlane({ tempDir: path.join(root, 'spill') });
    session = await dataPlane.openSession();
    // Enough rows for several batches each way, so a row that lost its place would show.
    upstream = await session.storeQuery(
      `SELECT i AS id, CASE WHEN i % 1000 = 7 THEN 'box' WHEN i % 1000 = 8 THEN NULL ELSE 'c' || i END AS code, ` +
        `CAST(i / 4 AS DECIMAL(10,2)) AS price, DATE '2024-01-01' + CAST(i % 30 AS INTEGER) AS day FROM range(20000) t(i)`,
      path.join(root, 'out', 'raw.parquet'),
    );
    await session.attach('raw', upstream);
  });
  after(async () => {
    await session.close();
    await dataPlane.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('cleans a column in place, adds its flag and reason beside it, and keeps the other columns, their types and the row order', async () => {
    seenDates.length = 0;
    const result = await run(cleanBlock('      code: { tool: upper, suffix: "!" }\n'));
    assert.deepEqual(result.output!.columns, [
      { name: 'id', type: 'BIGINT' },
      { name: 'code', type: 'VARCHAR' },
      { name: 'code_flag', type: 'VARCHAR' },
      { name: 'code_reason', type: 'VARCHAR' },
      { name: 'price', type: 'DECIMAL(10,2)' },
      { name: 'day', type: 'DATE' },
    ]);
    assert.equal(result.output!.rows, 20000);
    assert.equal(result.rowsIn, 20000);
    assert.equal(result.summary, 'flagged: code 20');
    assert.deepEqual(result.flagColumns, ['code_flag', 'code_reason'], 'the runner names the columns it added, so drift leaves their values alone');
    assert.deepEqual(seenDates, ['2024-03-10']);
    await session.attach('tidy', result.output!);
    const rows = await session.query(`SELECT id::INTEGER AS id, code, code_flag, code_reason, price::VARCHAR AS price, day::VARCHAR AS day FROM tidy WHERE id IN (0, 7, 8, 19999)`);
    assert.deepEqual(rows, [
      { id: 0, code: 'C0!', code_flag: null, code_reason: null, price: '0.00', day: '2024-01-01' },
      { id: 7, code: null, code_flag: 'unrecognised', code_reason: '"box" holds an x', price: '1.75', day: '2024-01-08' },
      { id: 8, code: null, code_flag: null, code_reason: null, price: '2.00', day: '2024-01-09' },
      { id: 19999, code: 'C19999!', code_flag: null, code_reason: null, price: '4999.75', day: '2024-01-20' },
    ]);
    const misplaced = await session.query(`SELECT count(*)::INTEGER AS n FROM tidy WHERE code IS NOT NULL AND code <> 'C' || id || '!'`);
    assert.deepEqual(misplaced, [{ n: 0 }]);
    const order = await session.query(`SELECT bool_and(id = rn - 1) AS ordered FROM (SELECT id, row_number() OVER () AS rn FROM tidy)`);
    assert.deepEqual(order, [{ ordered: true }]);
  });

  it('keeps the values a tool left undecided as the block\'s review output, once per value with its rows, and counts them in the summary', async () => {
    const result = await run(cleanBlock('      code: { tool: near }\n'));
    assert.equal(result.summary, 'flagged: code 20; to review: 1 value(s) in 20 row(s)');
    const reviews = readCleanReviews(path.join(root, '.sluice'));
    assert.equal(reviews.length, 1);
    assert.deepEqual([reviews[0]!.pipeline, reviews[0]!.block], ['p', 'tidy']);
    assert.deepEqual(reviews[0]!.columns, [{ column: 'code', tool: 'near', settings: {}, rows: [{ value: 'box', flag: 'review', reason: 'close to BOX', candidates: [{ value: 'BOX', score: 0.9 }], count: 20 }] }]);
    // A later run with nothing to review leaves no stale review behind.
    await run(cleanBlock('      code: { tool: upper }\n'));
    assert.deepEqual(readCleanReviews(path.join(root, '.sluice')), []);
    assert.match(cleanReviewFile(path.join(root, '.sluice'), 'p', 'tidy'), /review[/\\]p[/\\]tidy\.json$/);
  });

  it('adds a review block beside a clean block cleaning against a dictionary, giving the undecided values as a table', async () => {
    write('pipelines/p.yaml', 'blocks:\n  - { name: raw, file: blocks/raw.sql }\n  - name: tidy\n    upstream: [raw]\n    clean:\n      id: { tool: upper }\n      code: { tool: lookup, dictionary: boxes }\n');
    const blocks = loadPipeline(root, 'p').blocks;
    assert.deepEqual(blocks.map((b) => b.name), ['raw', 'tidy', 'tidy__review']);
    const review = blocks[2] as CleanBlock;
    assert.deepEqual([review.part, review.declaredName, review.upstream, review.columns.map((c) => c.column)], ['review', 'tidy', ['raw'], ['code']]);
    const result = await run(review);
    assert.equal(result.summary, '201 value(s) to review in 220 row(s)');
    assert.equal(result.rowsIn, 20000);
    assert.deepEqual(result.output!.columns.map((c) => `${c.name} ${c.type}`), ['column_name VARCHAR', 'value VARCHAR', 'row_count BIGINT', 'flag VARCHAR', 'reason VARCHAR', 'best_candidate VARCHAR', 'best_score DOUBLE', 'candidates VARCHAR']);
    await session.attach('tidy__review', result.output!);
    const rows = await session.query('SELECT column_name, value, row_count::INTEGER AS n, flag, reason, best_candidate, best_score, candidates FROM tidy__review');
    // 'box' is 20 rows (i % 1000 = 7); each code ending in 99 is its own value, one row each, after it by value.
    assert.deepEqual(rows[0], { column_name: 'code', value: 'box', n: 20, flag: 'review', reason: '"box" is close to BOX', best_candidate: 'BOX', best_score: 0.9, candidates: 'BOX (0.90); BAG (0.55)' });
    assert.deepEqual(rows[1], { column_name: 'code', value: 'c10099', n: 1, flag: 'review', reason: '"c10099" is like nothing', best_candidate: null, best_score: null, candidates: null });
    assert.equal(rows.length, 201);
    // The clean block itself is unchanged by it.
    assert.equal((blocks[1] as CleanBlock).part, undefined);
  });

  it('gives an empty review table when nothing is left undecided, and adds none without a dictionary', async () => {
    write('pipelines/p.yaml', 'blocks:\n  - { name: raw, file: blocks/raw.sql }\n  - name: tidy\n    upstream: [raw]\n    clean:\n      day: { tool: lookup, dictionary: boxes }\n');
    const result = await run(loadPipeline(root, 'p').blocks.find((b) => b.name === 'tidy__review') as CleanBlock);
    assert.equal(result.output!.rows, 0);
    assert.equal(result.summary, '0 value(s) to review in 0 row(s)');
    assert.deepEqual(cleanBlock('      code: { tool: near }\n').part, undefined);
    assert.deepEqual(loadPipeline(root, 'p').blocks.map((b) => b.name), ['raw', 'tidy']);
  });

  it('refuses an unknown tool, bad settings and a missing column, naming file and line', async () => {
    const refusal = async (clean: string): Promise<SluiceError> => {
      const error = await run(cleanBlock(clean)).then(() => assert.fail('the block ran'), (e: unknown) => e);
      assert.ok(error instanceof SluiceError);
      return error;
    };
    const unknownTool = await refusal('      code: { tool: upper }\n      id: { tool: lower }\n');
    assert.equal(unknownTool.message, "column 'id': no clean tool 'lower' (tools: upper, near, lookup)");
    assert.deepEqual(unknownTool.location, { file: path.join('pipelines', 'p.yaml'), line: 7, block: 'tidy' });
    const badSetting = await refusal('      code: { tool: upper, suffix: 3 }\n');
    assert.match(badSetting.message, /^column 'code': tool 'upper': suffix: /);
    assert.equal(badSetting.location?.line, 6);
    const unknownSetting = await refusal('      code: { tool: upper, sufix: "!" }\n');
    assert.match(unknownSetting.message, /sufix/);
    const missing = await refusal('      name: { tool: upper }\n');
    assert.equal(missing.message, "column 'name': 'raw' has no column 'name' (columns: id, code, price, day)");
    assert.equal(missing.code, 'clean.unknown_column');
  });

  it('checks settings without any data, as validate does, and refuses a flag or reason column the upstream already has', () => {
    assert.throws(() => checkCleanBlock(cleanBlock('      code: { tool: upper, suffix: [1] }\n'), tools), /suffix/);
    assert.equal(checkCleanBlock(cleanBlock('      code: { tool: upper }\n'), tools).length, 1);
    const taken = [{ name: 'code', type: 'VARCHAR' }, { name: 'code_reason', type: 'VARCHAR' }];
    assert.throws(() => checkCleanBlock(cleanBlock('      code: { tool: upper }\n'), tools, taken), (e: SluiceError) => e.code === 'clean.column_taken' && /'code_reason'/.test(e.message));
  });

  it('refuses a clean block without exactly one upstream when the pipeline loads', () => {
    write('pipelines/two.yaml', 'blocks:\n  - { name: a, file: blocks/raw.sql }\n  - { name: b, file: blocks/raw.sql }\n  - name: tidy\n    upstream: [a, b]\n    clean: { code: { tool: upper } }\n');
    assert.throws(() => loadPipeline(root, 'two'), (e: SluiceError) => e.code === 'block.clean_upstream' && e.location?.line === 5);
  });
});
