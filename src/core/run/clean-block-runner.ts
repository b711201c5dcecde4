import path from 'node:path';
import type { z } from 'zod';
import { ConfigError } from '../errors.ts';
import type { Column, Row } from '../data-plane/data-plane.ts';
import type { CleanBlock, CleanColumn } from '../pipeline/pipeline.ts';
import { quoteIdent } from '../sql/quote.ts';
import type { BlockResult, BlockRunContext, BlockRunner } from './block-runner.ts';
import { type ReviewRow, writeCleanReview } from './clean-review.ts';

/** What a clean tool answers for one value: the cleaned value, or none with a flag and the reason. */
export interface CleanedCell {
  readonly value: string | null;
  readonly flag?: string | undefined;
  readonly reason?: string | undefined;
  /** For a value left undecided: what it may stand for, best first. Such values go to the block's review output. */
  readonly candidates?: readonly { readonly value: string; readonly score: number }[] | undefined;
}

/** What a clean tool may know of the run: relative values count from the logical date, never the wall clock. */
export interface CleanToolContext {
  readonly logicalDate: string | undefined;
  /** The project folder, for tools that read project files (a dictionary). */
  readonly projectRoot: string;
}

/**
 * A tool a no-code clean block can name. It cleans a whole column at once, as
 * some tools let the column decide (the day order of dates). Its settings are
 * checked against its schema before any row is read.
 */
export interface CleanTool {
  readonly settings: z.ZodType;
  /** Checks what settings point to in the project (a dictionary file exists and is sound), at validate time too. */
  check?(settings: unknown, projectRoot: string): void;
  clean(values: readonly unknown[], settings: unknown, context: CleanToolContext): readonly CleanedCell[];
}

/** Tools by the name a block's `tool:` gives. */
export type CleanTools = Readonly<Record<string, CleanTool>>;

/** A clean tool whose `clean` sees its settings as its schema's output. */
export function defineCleanTool<S extends z.ZodType>(
  settings: S,
  clean: (values: readonly unknown[], settings: z.output<S>, context: CleanToolContext) => readonly CleanedCell[],
  check?: (settings: z.output<S>, projectRoot: string) => void,
): CleanTool {
  return {
    settings,
    clean: (values, parsed, context) => clean(values, parsed as z.output<S>, context),
    ...(check ? { check: (parsed: unknown, root: string) => check(parsed as z.output<S>, root) } : {}),
  };
}

/** A column of a clean block with its tool found and settings checked. */
interface CheckedColumn {
  readonly column: string;
  readonly toolName: string;
  readonly tool: CleanTool;
  readonly settings: unknown;
}

/**
 * Finds each column's tool and checks its settings; every problem names the
 * file and line of the column. With the upstream's columns, also checks the
 * columns exist and that the flag and reason columns it adds are free. With
 * the project folder, also checks the files the settings name.
 */
export function checkCleanBlock(block: CleanBlock, tools: CleanTools, upstreamColumns?: readonly Column[], projectRoot?: string): CheckedColumn[] {
  return block.columns.map((spec) => {
    const fail = (code: string, message: string): never => {
      throw new ConfigError(code, `column '${spec.column}': ${message}`, { location: locationOf(block, spec) });
    };
    const tool = Object.hasOwn(tools, spec.tool) ? tools[spec.tool] : undefined;
    if (!tool) return fail('clean.unknown_tool', `no clean tool '${spec.tool}' (tools: ${Object.keys(tools).join(', ')})`);
    const parsed = tool.settings.safeParse(spec.settings);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const key = issue.path.map(String).join('.');
      return fail('clean.bad_settings', `tool '${spec.tool}': ${key ? `${key}: ` : ''}${issue.message}`);
    }
    if (upstreamColumns) {
      const names = new Set(upstreamColumns.map((c) => c.name));
      if (!names.has(spec.column)) fail('clean.unknown_column', `'${block.upstream[0]}' has no column '${spec.column}' (columns: ${[...names].join(', ')})`);
      for (const added of addedColumns(spec.column)) {
        if (names.has(added)) fail('clean.column_taken', `'${block.upstream[0]}' already has a column '${added}', which cleaning '${spec.column}' adds; rename it upstream`);
      }
    }
    if (projectRoot !== undefined && tool.check) {
      try {
        tool.check(parsed.data, projectRoot);
      } catch (error) {
        // The file's own error (dictionary file and line) says more than the block's line would.
        if (error instanceof ConfigError && error.location?.file) throw error;
        fail('clean.bad_settings', `tool '${spec.tool}': ${(error as Error).message}`);
      }
    }
    return { column: spec.column, toolName: spec.tool, tool, settings: parsed.data };
  });
}

function locationOf(block: CleanBlock, spec: CleanColumn): { file: string; line?: number; block: string } {
  const line = spec.line ?? block.declaredAt.line;
  return { file: block.declaredAt.file, block: block.name, ...(line !== undefined ? { line } : {}) };
}

function addedColumns(column: string): [flag: string, reason: string] {
  return [`${column}_flag`, `${column}_reason`];
}

/** The column that carries each row's position between the steps of a clean, so the cleaned values join back in order. */
const rowColumn = 'sluice_clean_row';

/**
 * Runs a no-code clean block with the tools given: its upstream's rows, with
 * each named column cleaned in place and `<column>_flag` and `<column>_reason`
 * added beside it. Only the cleaned columns pass through JavaScript; the other
 * columns keep their types, as the rows are joined back in the data plane.
 * The values a tool left undecided (flagged with candidates) become the
 * block's review output (`writeCleanReview`), counted in the run summary.
 */
export function createCleanBlockRunner(tools: CleanTools): BlockRunner<CleanBlock> {
  return async (block, context) => {
    if (block.part === 'review') return reviewTable(block, tools, context);
    const input = context.inputs[0]!;
    const checked = checkCleanBlock(block, tools, input.output.columns, context.project.root);
    const numbered = await numberRows(input.name, input.output.columns, context);
    const values = await readColumns(checked.map((c) => c.column), numberedName, numbered.rows, context, rowColumn);
    const toolContext = { logicalDate: context.logicalDate, projectRoot: context.project.root };
    const cleaned = checked.map(({ column, tool, settings }) => {
      const cells = tool.clean(values.get(column)!, settings, toolContext);
      if (cells.length !== numbered.rows) throw new Error(`clean tool for '${column}' returned ${cells.length} values for ${numbered.rows} rows`);
      return { column, cells };
    });
    const review = checked.map(({ column, toolName, settings }, i) => ({
      column,
      tool: toolName,
      settings: settings as Record<string, unknown>,
      rows: reviewRows(values.get(column)!, cleaned[i]!.cells),
    }));
    await context.session.attach(cleanedName, await context.session.storeRows(cleanedBatches(cleaned, numbered.rows), path.join(context.tempDir, 'cleaned.parquet'), cleanedTypes(cleaned)));
    const select = input.output.columns.flatMap(({ name }) => {
      if (!values.has(name)) return [`n.${quoteIdent(name)}`];
      return [name, ...addedColumns(name)].map((c) => `c.${quoteIdent(c)}`);
    });
    const output = await context.session.storeQuery(
      `SELECT ${select.join(', ')} FROM ${numberedTable} AS n JOIN ${cleanedTable} AS c USING (${quoteIdent(rowColumn)}) ORDER BY ${quoteIdent(rowColumn)}`,
      context.outputLocation,
      context.signal,
    );
    // Kept once the output is, so a run that failed to store its output leaves the last review in place.
    writeCleanReview(context.project.stateDir, { pipeline: context.pipeline.name, block: block.name, runId: context.runId, writtenAt: new Date().toISOString(), columns: review });
    const flaggedCounts = cleaned.map(({ column, cells }) => `${column} ${cells.filter((cell) => cell.flag).length}`);
    const toReview = review.flatMap((c) => c.rows);
    const reviewNote = toReview.length ? `; to review: ${toReview.length} value(s) in ${toReview.reduce((sum, row) => sum + row.count, 0)} row(s)` : '';
    const flagColumns = checked.flatMap(({ column }) => addedColumns(column));
    return { output, rowsIn: input.output.rows, summary: `flagged: ${flaggedCounts.join(', ')}${reviewNote}`, flagColumns };
  };
}

/** The columns of a clean block's review table, in order. */
export const reviewTableTypes = {
  column_name: 'VARCHAR',
  value: 'VARCHAR',
  row_count: 'BIGINT',
  flag: 'VARCHAR',
  reason: 'VARCHAR',
  best_candidate: 'VARCHAR',
  best_score: 'DOUBLE',
  candidates: 'VARCHAR',
} as const;

/**
 * A clean block's review block: the values its dictionary columns leave
 * undecided in this run's upstream, one row per column and value, most rows
 * first, with the flag, reason and candidates (`Electronics (0.64); Toys
 * (0.52)`), so a SQL block or an exporter reads them like any block output.
 * Decisions written to the dictionary since take a value off it on the next run.
 */
async function reviewTable(block: CleanBlock, tools: CleanTools, context: BlockRunContext): Promise<BlockResult> {
  const input = context.inputs[0]!;
  const checked = checkCleanBlock(block, tools, input.output.columns, context.project.root);
  const values = await readColumns(checked.map((c) => c.column), input.name, input.output.rows, context);
  const toolContext = { logicalDate: context.logicalDate, projectRoot: context.project.root };
  const rows: Row[] = checked.flatMap(({ column, tool, settings }) => {
    const columnValues = values.get(column)!;
    return reviewRows(columnValues, tool.clean(columnValues, settings, toolContext)).map((row) => ({
      column_name: column,
      value: row.value,
      row_count: row.count,
      flag: row.flag,
      reason: row.reason,
      best_candidate: row.candidates[0]?.value ?? null,
      best_score: row.candidates[0]?.score ?? null,
      candidates: row.candidates.length ? row.candidates.map((c) => `${c.value} (${c.score.toFixed(2)})`).join('; ') : null,
    }));
  });
  async function* batches(): AsyncIterable<Row[]> {
    for (let start = 0; start < rows.length; start += 4096) yield rows.slice(start, start + 4096);
    if (!rows.length) yield [];
  }
  const output = await context.session.storeRows(batches(), context.outputLocation, { ...reviewTableTypes });
  const inRows = rows.reduce((sum, row) => sum + Number(row.row_count), 0);
  return { output, rowsIn: input.output.rows, summary: `${rows.length} value(s) to review in ${inRows} row(s)` };
}

/** The distinct values a tool left undecided (flagged with candidates), most rows first. */
function reviewRows(values: readonly unknown[], cells: readonly CleanedCell[]): ReviewRow[] {
  const rows = new Map<string, { row: Omit<ReviewRow, 'count'>; count: number }>();
  cells.forEach((cell, i) => {
    if (!cell.flag || !cell.candidates) return;
    const value = String(values[i]).trim();
    const seen = rows.get(value);
    if (seen) seen.count++;
    else rows.set(value, { row: { value, flag: cell.flag, reason: cell.reason ?? '', candidates: cell.candidates }, count: 1 });
  });
  return [...rows.values()].map(({ row, count }) => ({ ...row, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
}

/** Scratch tables of the block run's own session (each block run has its own, so names never meet). */
const numberedName = 'sluice_clean_numbered';
const cleanedName = 'sluice_clean_cleaned';
const numberedTable = quoteIdent(numberedName);
const cleanedTable = quoteIdent(cleanedName);

/** A copy of the upstream with each row's position, stored once so every later step agrees on it. */
async function numberRows(upstream: string, columns: readonly Column[], context: BlockRunContext): Promise<{ rows: number }> {
  if (columns.some((c) => c.name === rowColumn)) {
    throw new ConfigError('clean.column_taken', `'${upstream}' has a column '${rowColumn}', which a clean block uses to keep rows in order`);
  }
  const stored = await context.session.storeQuery(
    `SELECT *, row_number() OVER () AS ${quoteIdent(rowColumn)} FROM ${quoteIdent(upstream)}`,
    path.join(context.tempDir, 'numbered.parquet'),
    context.signal,
  );
  await context.session.attach(numberedName, stored);
  return { rows: stored.rows };
}

/** The named columns' values of a table, in the order of `orderBy` when given. */
async function readColumns(columns: readonly string[], table: string, rows: number, context: BlockRunContext, orderBy?: string): Promise<Map<string, unknown[]>> {
  const values = new Map(columns.map((c) => [c, [] as unknown[]]));
  const sql = `SELECT ${columns.map(quoteIdent).join(', ')} FROM ${quoteIdent(table)}${orderBy ? ` ORDER BY ${quoteIdent(orderBy)}` : ''}`;
  for await (const batch of context.session.stream(sql, { signal: context.signal, expectedRows: rows })) {
    for (const row of batch) for (const column of columns) values.get(column)!.push(row[column]);
  }
  return values;
}

type CleanedColumn = { readonly column: string; readonly cells: readonly CleanedCell[] };

async function* cleanedBatches(cleaned: readonly CleanedColumn[], rows: number): AsyncIterable<Row[]> {
  const batchSize = 4096;
  for (let start = 0; start < rows; start += batchSize) {
    const batch: Row[] = [];
    for (let i = start; i < Math.min(rows, start + batchSize); i++) {
      const row: Row = { [rowColumn]: i + 1 };
      for (const { column, cells } of cleaned) {
        const cell = cells[i]!;
        const [flag, reason] = addedColumns(column);
        row[column] = cell.value;
        row[flag] = cell.flag ?? null;
        row[reason] = cell.reason ?? null;
      }
      batch.push(row);
    }
    yield batch;
  }
}

/** Cleaned values, flags and reasons are text whatever they look like (a ZIP code stays `02134`). */
function cleanedTypes(cleaned: readonly CleanedColumn[]): Record<string, string> {
  return Object.fromEntries([[rowColumn, 'BIGINT'], ...cleaned.flatMap(({ column }) => [column, ...addedColumns(column)].map((c) => [c, 'VARCHAR']))]);
}
