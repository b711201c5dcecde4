import path from 'node:path';
import type { Column, Row } from '../../core/data-plane/data-plane.ts';
import { ConfigError } from '../../core/errors.ts';
import type { DedupeBlock } from '../../core/pipeline/pipeline.ts';
import type { BlockResult, BlockRunContext, BlockRunner } from '../../core/run/block-runner.ts';
import { quoteIdent } from '../../core/sql/quote.ts';
import { dedupeBlockSettingsSchema, optionsOfBlockSettings, resolveDedupeOptions, type DedupeBlockSettings, type ResolvedDedupeOptions } from './dedupe-settings.ts';
import { keysQuery, oversizedBlocksQuery, rowColumn, scoredPairsQuery } from './dedupe-sql.ts';
import { loadPairDecisions, pairKey, sideValue } from './pair-decisions.ts';
import { UnionFind } from './union-find.ts';

/** The column a dedupe block adds to its upstream's rows. */
export const clusterColumn = 'cluster_id';

export interface CheckedDedupeBlock {
  readonly settings: DedupeBlockSettings;
  readonly options: ResolvedDedupeOptions;
}

/**
 * Checks a dedupe block's settings, naming the file and line of the bad one;
 * with the upstream's columns, also checks every named column exists and the
 * columns the block adds are free.
 */
export function checkDedupeBlock(block: DedupeBlock, upstreamColumns?: readonly Column[]): CheckedDedupeBlock {
  const fail = (key: string | undefined, code: string, message: string): never => {
    const line = lineOf(block, key);
    throw new ConfigError(code, `dedupe: ${message}`, { location: { file: block.declaredAt.file, block: block.declaredName, ...(line !== undefined ? { line } : {}) } });
  };
  const parsed = dedupeBlockSettingsSchema.safeParse(block.settings);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.map(String).join('.');
    return fail(issue.path.slice(0, 2).map(String).join('.') || undefined, 'dedupe.bad_settings', `${key ? `${key}: ` : ''}${issue.message}`);
  }
  const settings = parsed.data;
  const options = resolveDedupeOptions(optionsOfBlockSettings(settings));
  if (upstreamColumns) {
    const names = new Set(upstreamColumns.map((c) => c.name));
    const known = (key: string, column: string): void => {
      if (!names.has(column)) fail(key, 'dedupe.unknown_column', `'${block.upstream[0]}' has no column '${column}' (columns: ${[...names].join(', ')})`);
    };
    for (const column of options.columns) known(`columns.${column.name}`, column.name);
    for (const pass of options.blocking) for (const column of pass) known('blocking', column);
    for (const column of settings.show ?? []) known('show', column);
    for (const taken of [rowColumn, ...(block.part === 'clusters' ? [clusterColumn] : [])]) {
      if (names.has(taken)) fail(undefined, 'dedupe.column_taken', `'${block.upstream[0]}' already has a column '${taken}', which the dedupe block adds; rename it upstream`);
    }
  }
  return { settings, options };
}

/** The line of a setting (`columns.name`), or of its parent (`columns`), or of the block. */
function lineOf(block: DedupeBlock, key: string | undefined): number | undefined {
  const lines = block.settingLines ?? {};
  if (key !== undefined && lines[key] !== undefined) return lines[key];
  const parent = key?.split('.')[0];
  return (parent !== undefined ? lines[parent] : undefined) ?? block.declaredAt.line;
}

/** Scratch tables of the block run's own session. */
const rowsTable = quoteIdent('sluice_dedupe_rows');
const keysTable = quoteIdent('sluice_dedupe_keys');
const scoredTable = quoteIdent('sluice_dedupe_scored');
const clustersTable = quoteIdent('sluice_dedupe_clusters');
const decidedTable = quoteIdent('sluice_dedupe_decided');
const row = quoteIdent(rowColumn);

/**
 * Runs a dedupe block in the data plane: rows are numbered, normalised and
 * blocked, candidate pairs are generated and scored there (only pairs above the
 * review threshold leave it), and matched pairs are joined into clusters here
 * with a union-find over row positions. The clusters part outputs the upstream's
 * rows in order with `cluster_id` (the position of the cluster's first row); the
 * review part outputs the borderline pairs, best first.
 */
export const runDedupeBlock: BlockRunner<DedupeBlock> = async (block, context) => {
  const input = context.inputs[0]!;
  const { settings, options } = checkDedupeBlock(block, input.output.columns);
  const scratch = (name: string): string => path.join(context.tempDir, `${name}.parquet`);
  const session = context.session;
  const rows = await session.storeQuery(`SELECT *, row_number() OVER () AS ${row} FROM ${quoteIdent(input.name)}`, scratch('rows'), context.signal);
  await session.attach('sluice_dedupe_rows', rows);
  await session.attach('sluice_dedupe_keys', await session.storeQuery(keysQuery(rowsTable, options), scratch('keys'), context.signal));
  const oversized = await session.query(oversizedBlocksQuery(keysTable, options));
  const scored = await session.storeQuery(scoredPairsQuery(keysTable, options), scratch('scored'), context.signal);
  await session.attach('sluice_dedupe_scored', scored);
  const decided = await decideReviewedPairs(block, options, context);
  const clusters = await clusterMatches(rows.rows, options.match, decided.same, context);
  const skipped = oversized.reduce((sum, r) => sum + Number(r.blocks), 0);
  if (skipped > 0) {
    const rowsSkipped = oversized.reduce((sum, r) => sum + Number(r.rows), 0);
    context.logger.warn(`${skipped} blocks hold more than ${options.maxBlockSize} rows (${rowsSkipped} rows in all) and were not compared; add a blocking column or raise max_block_size`);
  }
  const skippedNote = `${decided.count > 0 ? `; ${decided.count} pairs decided in review` : ''}${skipped > 0 ? `; ${skipped} blocks over max_block_size not compared` : ''}`;
  if (block.part === 'clusters') {
    const output = await session.storeQuery(
      `SELECT n.* EXCLUDE (${row}), coalesce(c.${quoteIdent(clusterColumn)}, n.${row}) AS ${quoteIdent(clusterColumn)} FROM ${rowsTable} AS n LEFT JOIN ${clustersTable} AS c USING (${row}) ORDER BY n.${row}`,
      context.outputLocation,
      context.signal,
    );
    const summary = `${clusters.clustered} rows in ${clusters.clusters} clusters of duplicates, ${clusters.matchedPairs} pairs matched, ${scored.rows - clusters.matchedPairs - decided.count} to review${skippedNote}`;
    return { output, rowsIn: input.output.rows, summary } satisfies BlockResult;
  }
  const output = await session.storeQuery(reviewQuery(settings, options), context.outputLocation, context.signal);
  return { output, rowsIn: input.output.rows, summary: `${output.rows} pairs to review${skippedNote}` };
};

/**
 * Joins the matched pairs into clusters and stores each clustered row's
 * cluster (rows on their own are their own cluster, left to a coalesce).
 */
async function clusterMatches(rows: number, match: number, decidedSame: readonly (readonly [number, number])[], context: BlockRunContext): Promise<{ clusters: number; clustered: number; matchedPairs: number }> {
  const found = new UnionFind(rows + 1);
  // Pairs a reviewer decided are the same record join like matched pairs.
  for (const [l, r] of decidedSame) found.union(l, r);
  let matchedPairs = 0;
  const expectedRows = Number((await context.session.query(`SELECT count(*) AS n FROM ${scoredTable} WHERE score >= $1`, [match]))[0]!.n);
  for await (const batch of context.session.stream(`SELECT l, r FROM ${scoredTable} WHERE score >= ${String(match)}`, { signal: context.signal, expectedRows, batchSize: 8192 })) {
    for (const pair of batch) found.union(Number(pair.l), Number(pair.r));
    matchedPairs += batch.length;
  }
  const sizes = new Int32Array(rows + 1);
  for (let i = 1; i <= rows; i++) sizes[found.find(i)]!++;
  let clusters = 0;
  let clustered = 0;
  for (let i = 1; i <= rows; i++) {
    if (sizes[i]! > 1) {
      clusters++;
      clustered += sizes[i]!;
    }
  }
  async function* members(): AsyncIterable<Row[]> {
    let batch: Row[] = [];
    for (let i = 1; i <= rows; i++) {
      const root = found.find(i);
      if (root === i) continue;
      batch.push({ [rowColumn]: i, [clusterColumn]: root });
      if (batch.length === 4096) {
        yield batch;
        batch = [];
      }
    }
    yield batch;
  }
  const stored = await context.session.storeRows(members(), path.join(context.tempDir, 'clusters.parquet'), { [rowColumn]: 'BIGINT', [clusterColumn]: 'BIGINT' });
  await context.session.attach('sluice_dedupe_clusters', stored);
  return { clusters, clustered, matchedPairs };
}

/** The borderline pairs, best first, with both rows' clusters and each compared (and shown) column side by side. */
function reviewQuery(settings: DedupeBlockSettings, options: ResolvedDedupeOptions): string {
  const sides = (column: string): string[] => [`l.${quoteIdent(column)} AS ${quoteIdent(`${column}_left`)}`, `r.${quoteIdent(column)} AS ${quoteIdent(`${column}_right`)}`];
  const shown = (settings.show ?? []).filter((column) => !options.columns.some((c) => c.name === column)).flatMap(sides);
  const compared = options.columns.flatMap((column, c) => [...sides(column.name), `s.s${c} AS ${quoteIdent(`${column.name}_similarity`)}`]);
  const cluster = quoteIdent(clusterColumn);
  return (
    `SELECT s.l AS left_row, s.r AS right_row, s.score, coalesce(cl.${cluster}, s.l) AS left_cluster_id, coalesce(cr.${cluster}, s.r) AS right_cluster_id, ${[...shown, ...compared].join(', ')} ` +
    `FROM ${scoredTable} AS s JOIN ${rowsTable} AS l ON l.${row} = s.l JOIN ${rowsTable} AS r ON r.${row} = s.r ` +
    `LEFT JOIN ${clustersTable} AS cl ON cl.${row} = s.l LEFT JOIN ${clustersTable} AS cr ON cr.${row} = s.r ` +
    `WHERE s.score < ${String(options.match)} AND NOT EXISTS (SELECT 1 FROM ${decidedTable} AS d WHERE d.l = s.l AND d.r = s.r) ORDER BY s.score DESC, s.l, s.r`
  );
}

/**
 * Finds the pairs to review that a reviewer already decided (by the values of
 * their compared columns, as the review file keeps them) and keeps them in the
 * session: they leave the review output, and those decided the same join one cluster.
 */
async function decideReviewedPairs(block: DedupeBlock, options: ResolvedDedupeOptions, context: BlockRunContext): Promise<{ same: [number, number][]; count: number }> {
  const decisions = loadPairDecisions(context.project.root, context.pipeline.name, block.declaredName);
  const pairs: Row[] = [];
  if (decisions.size > 0) {
    const columns = options.columns.map((column, c) => `l.${quoteIdent(column.name)} AS ${quoteIdent(`l${c}`)}, r.${quoteIdent(column.name)} AS ${quoteIdent(`r${c}`)}`);
    const candidates = await context.session.query(
      `SELECT s.l, s.r, ${columns.join(', ')} FROM ${scoredTable} AS s JOIN ${rowsTable} AS l ON l.${row} = s.l JOIN ${rowsTable} AS r ON r.${row} = s.r WHERE s.score < $1`,
      [options.match],
    );
    for (const pair of candidates) {
      const side = (prefix: string) => Object.fromEntries(options.columns.map((column, c) => [column.name, sideValue(pair[`${prefix}${c}`])]));
      const same = decisions.get(pairKey(side('l'), side('r')));
      if (same !== undefined) pairs.push({ l: Number(pair.l), r: Number(pair.r), same });
    }
  }
  async function* batch(): AsyncIterable<Row[]> {
    yield pairs;
  }
  const stored = await context.session.storeRows(batch(), path.join(context.tempDir, 'decided.parquet'), { l: 'BIGINT', r: 'BIGINT', same: 'BOOLEAN' });
  await context.session.attach('sluice_dedupe_decided', stored);
  return { same: pairs.filter((p) => p.same).map((p) => [Number(p.l), Number(p.r)]), count: pairs.length };
}
