import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Pipeline } from '../core/pipeline/pipeline.ts';
import { dataPlaneConnectionName } from '../core/project/connection-spec.ts';

/** Parses SQL into the data plane's syntax tree (DuckDB's `json_serialize_sql`). */
export type SqlParser = (sql: string) => Promise<unknown>;

/** A place that reads a block by name and cannot be rewritten safely. */
export interface BlockUse {
  /** Project-relative path. */
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

export interface BlockRenamePlan {
  /** Block files rewritten to read the new name. */
  readonly write: { readonly path: string; readonly content: string }[];
  /** Uses no rewrite can follow: the rename is refused while there are any. */
  readonly blockers: BlockUse[];
}

interface Span {
  readonly start: number;
  readonly end: number;
}

/**
 * Plans renaming block `from` to `to` in the blocks that read it. SQL is
 * rewritten where the parser says a table or column qualifier names the
 * block, never by searching the text, so a string or a comment holding the
 * same word stays. TypeScript reads a block through a typed handle whose name
 * appears in types and destructuring: those uses are listed, and the rename
 * is refused, rather than half rewritten.
 */
export async function renameBlockReferences(root: string, pipeline: Pipeline, from: string, to: string, parse: SqlParser): Promise<BlockRenamePlan> {
  const write: { path: string; content: string }[] = [];
  const blockers: BlockUse[] = [];
  for (const block of pipeline.blocks) {
    if (!block.upstream.includes(from) || (block.language !== 'sql' && block.language !== 'ts')) continue;
    const file = path.relative(root, block.file);
    const text = readFileSync(block.file, 'utf8');
    if (block.language === 'ts') {
      blockers.push(...wordLines(text, from).map((line) => ({ file, line, reason: `TypeScript block '${block.name}' reads '${from}' by name` })));
      continue;
    }
    const tree = (await parse(text)) as SerializedSql;
    if (tree.error) {
      blockers.push({ file, line: 1, reason: `the SQL of block '${block.name}' does not parse (${String(tree.error_message ?? 'syntax error')}), so its references cannot be found` });
      continue;
    }
    const bytes = Buffer.from(text, 'utf8');
    const spans: Span[] = [];
    // SQL pushed down into a database names that database's tables: the same word may be one of them.
    const remote = block.connection !== undefined && block.connection !== dataPlaneConnectionName;
    for (const location of tableLocations(tree, from)) {
      if (remote) {
        blockers.push({ file, line: lineOfByte(bytes, location), reason: `block '${block.name}' runs in connection '${block.connection}', where '${from}' may name one of its tables` });
        continue;
      }
      const span = identifierAt(bytes, location, from);
      if (span) spans.push(span);
      else blockers.push({ file, line: lineOfByte(bytes, location), reason: `block '${block.name}' names '${from}' in a way that cannot be rewritten` });
    }
    if (!spans.length) continue;
    write.push({ path: file, content: replaceSpans(bytes, spans, to) });
  }
  return { write, blockers };
}

interface SerializedSql {
  readonly error?: boolean;
  readonly error_message?: string;
  readonly statements?: unknown[];
}

/**
 * Byte offsets of every table reference to `name` without a schema, and of
 * every column qualified by it (`name.col`) in a statement that reads the
 * table without an alias.
 */
function tableLocations(tree: SerializedSql, name: string): number[] {
  const found: number[] = [];
  const same = (value: unknown) => typeof value === 'string' && value.toLowerCase() === name.toLowerCase();
  for (const statement of tree.statements ?? []) {
    const tables: number[] = [];
    const qualifiers: number[] = [];
    let unaliased = false;
    walk(statement, (node) => {
      if (node.type === 'BASE_TABLE' && same(node.table_name) && !node.schema_name && !node.catalog_name && typeof node.query_location === 'number') {
        tables.push(node.query_location);
        if (!node.alias) unaliased = true;
      }
      const columns = node.column_names;
      if (node.class === 'COLUMN_REF' && Array.isArray(columns) && columns.length === 2 && same(columns[0]) && typeof node.query_location === 'number') qualifiers.push(node.query_location);
    });
    found.push(...tables, ...(unaliased ? qualifiers : []));
  }
  return found;
}

function walk(value: unknown, visit: (node: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) for (const item of value) walk(item, visit);
  else if (value && typeof value === 'object') {
    visit(value as Record<string, unknown>);
    for (const child of Object.values(value)) walk(child, visit);
  }
}

/** The identifier at `offset`, bare or double-quoted, when it is `name`. */
function identifierAt(bytes: Buffer, offset: number, name: string): Span | undefined {
  const rest = bytes.subarray(offset).toString('utf8');
  const match = /^(?:"((?:[^"]|"")*)"|([A-Za-z_][A-Za-z0-9_$]*))/.exec(rest);
  if (!match) return undefined;
  const word = match[1] !== undefined ? match[1].replaceAll('""', '"') : match[2]!;
  if (word.toLowerCase() !== name.toLowerCase()) return undefined;
  return { start: offset, end: offset + Buffer.byteLength(match[0], 'utf8') };
}

function replaceSpans(bytes: Buffer, spans: readonly Span[], replacement: string): string {
  const unique = [...new Map(spans.map((s) => [s.start, s])).values()].sort((a, b) => a.start - b.start);
  const parts: Buffer[] = [];
  let at = 0;
  for (const span of unique) {
    // A quoted name stays quoted; block names never hold a quote.
    const quoted = bytes[span.start] === 0x22;
    parts.push(bytes.subarray(at, span.start), Buffer.from(quoted ? `"${replacement}"` : replacement));
    at = span.end;
  }
  parts.push(bytes.subarray(at));
  return Buffer.concat(parts).toString('utf8');
}

function lineOfByte(bytes: Buffer, offset: number): number {
  return bytes.subarray(0, offset).toString('utf8').split('\n').length;
}

/** Lines (1-based) where `word` appears as a whole word outside line comments. */
function wordLines(text: string, word: string): number[] {
  const pattern = new RegExp(`(^|[^A-Za-z0-9_$])${word.replace(/[$]/g, '\\$')}(?![A-Za-z0-9_$])`);
  return text.split('\n').flatMap((line, i) => (pattern.test(line.replace(/\/\/.*$/, '')) ? [i + 1] : []));
}
