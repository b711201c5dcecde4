import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { ConnectorRegistry } from '../../core/connectors/connector.ts';
import { parseConnectionSettings } from '../../core/connectors/parse-connection-settings.ts';
import type { DataPlaneSession, FileReadSpec, StoredOutput } from '../../core/data-plane/data-plane.ts';
import { ConfigError } from '../../core/errors.ts';
import { listPipelines, loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import { connectionSpec, warehouseConnectionName } from '../../core/project/connection-spec.ts';
import type { Project } from '../../core/project/load-project.ts';
import { mask } from '../../core/project/secrets.ts';
import { createLogger } from '../../core/run/logger.ts';
import type { RunHistory } from '../../core/run-store/run-store.ts';
import type { OutputStore } from '../../core/output-store/output-store.ts';
import { readKeptOutput } from '../../core/output-store/read-kept-output.ts';
import { quoteIdent, splitQualified } from '../../core/sql/quote.ts';
import type { FieldSample } from './suggest-field-mapping.ts';

/** Where the columns to map come from. */
export type FieldSource =
  | { readonly kind: 'block'; readonly pipeline: string; readonly block: string }
  | { readonly kind: 'table'; readonly connection: string; readonly table: string }
  | { readonly kind: 'file'; readonly path: string; readonly format: FileReadSpec['format'] };

/** A source's columns with sample values, and how to name it. */
export interface SampledFields {
  readonly source: FieldSource;
  readonly label: string;
  readonly columns: readonly FieldSample[];
  /** Rows the samples were taken from (the first rows of the source). */
  readonly sampledRows: number;
}

export interface FieldSourceContext {
  readonly project: Project;
  readonly store: RunHistory;
  /** Where block outputs are kept; without it, the local folder's paths are read as they are. */
  readonly outputs?: OutputStore | undefined;
  readonly connectors: ConnectorRegistry;
  readonly session: DataPlaneSession;
  readonly signal?: AbortSignal | undefined;
}

const fileFormats: Readonly<Record<string, FileReadSpec['format']>> = { csv: 'csv', tsv: 'csv', txt: 'csv', parquet: 'parquet', json: 'json', jsonl: 'jsonl', ndjson: 'jsonl' };
/** Rows sampled from each source, and distinct values kept per column. */
const sampleRows = 1000;
const valuesPerColumn = 20;

/**
 * Reads what the user wrote: `PIPELINE.BLOCK` (a block's latest stored
 * output), `CONNECTION.TABLE` or `CONNECTION.SCHEMA.TABLE` (a table of a
 * named connection), or a project file path ending in .csv, .tsv, .parquet,
 * .json or .jsonl (optionally .gz).
 */
export function parseFieldSource(project: Project, text: string): FieldSource {
  const file = /\.(csv|tsv|txt|parquet|json|jsonl|ndjson)(\.gz)?$/i.exec(text);
  if (file || text.includes('/')) {
    if (!file) throw new ConfigError('map.bad_source', `'${text}' looks like a path, but not to a .csv, .tsv, .parquet, .json or .jsonl file`);
    return { kind: 'file', path: text, format: fileFormats[file[1]!.toLowerCase()]! };
  }
  const parts = splitQualified(text);
  if (parts.length === 2 && listPipelines(project.root).includes(parts[0]!)) return { kind: 'block', pipeline: parts[0]!, block: parts[1]! };
  if (parts.length >= 2 && connectionNames(project).includes(parts[0]!)) return { kind: 'table', connection: parts[0]!, table: parts.slice(1).map(quoteIfNeeded).join('.') };
  throw new ConfigError(
    'map.bad_source',
    `'${text}' is not PIPELINE.BLOCK (pipelines: ${listPipelines(project.root).join(', ') || 'none'}), CONNECTION.TABLE (connections: ${connectionNames(project).join(', ')}) or a .csv/.parquet/.json file`,
  );
}

/** The source's columns, types and sample values (distinct values among its first rows, most frequent first). */
export async function sampleFieldSource(source: FieldSource, context: FieldSourceContext): Promise<SampledFields> {
  const scratch = mkdtempSync(path.join(ensureDir(path.join(context.project.stateDir, 'tmp')), 'map-'));
  try {
    const output = await landSource(source, context, scratch);
    const alias = `_sluice_map_${path.basename(scratch).replace(/[^A-Za-z0-9_]/g, '_')}`;
    await context.session.attach(alias, output);
    const columns = await sampleColumns(context.session, alias, output);
    return { source, label: describeFieldSource(source), columns, sampledRows: Math.min(output.rows, sampleRows) };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The project's connections, the built-in warehouse first. */
export function connectionNames(project: Project): string[] {
  return [...new Set([warehouseConnectionName, ...project.connections.keys()])];
}

export function describeFieldSource(source: FieldSource): string {
  switch (source.kind) {
    case 'block':
      return `${source.pipeline}.${source.block}`;
    case 'table':
      return `${source.connection}.${source.table}`;
    case 'file':
      return source.path;
  }
}

async function landSource(source: FieldSource, context: FieldSourceContext, scratch: string): Promise<StoredOutput> {
  const { project, session } = context;
  switch (source.kind) {
    case 'block': {
      const pipeline = loadPipeline(project.root, source.pipeline);
      if (!pipeline.blocks.some((b) => b.name === source.block)) {
        throw new ConfigError('map.no_block', `pipeline '${pipeline.name}' has no block '${source.block}' (blocks: ${pipeline.blocks.map((b) => b.name).join(', ')})`);
      }
      const latest = await context.store.latestOutput(pipeline.name, source.block);
      const file = latest?.output && (await readKeptOutput(context.outputs, latest.output));
      if (!latest || !file) {
        throw new ConfigError('map.no_output', `block '${source.block}' of '${pipeline.name}' has no stored output; run 'sluice run ${pipeline.name}' first`);
      }
      return { location: file, rows: latest.rowsOut ?? 0, columns: latest.columns ?? [] };
    }
    case 'file': {
      const file = path.resolve(project.root, source.path);
      if (path.relative(project.root, file).startsWith('..') || path.isAbsolute(path.relative(project.root, file))) {
        throw new ConfigError('map.outside_project', `'${source.path}' is outside the project folder`);
      }
      if (!existsSync(file)) throw new ConfigError('map.no_file', `no file '${source.path}' in the project`);
      return session.storeFiles({ paths: [file], format: source.format, ...(/\.tsv(\.gz)?$/i.test(file) ? { csv: { delimiter: '\t' } } : {}) }, path.join(scratch, 'file.parquet'), context.signal);
    }
    case 'table':
      return readTable(source, context, scratch);
  }
}

/** The first rows of a table, read inside its database through the connector's query reads (as integration syncs read). */
async function readTable(source: Extract<FieldSource, { kind: 'table' }>, context: FieldSourceContext, scratch: string): Promise<StoredOutput> {
  const { project } = context;
  const spec = connectionSpec(project, source.connection);
  const connector = context.connectors.get(spec.connector);
  if (!connector) throw new ConfigError('map.unknown_connector', `connection '${spec.name}' has connector '${spec.connector}', which is not one Sluice knows`);
  if (connector.capabilities.syncSource !== 'query' || !connector.identifiers) {
    throw new ConfigError('map.source_unsupported', `connection '${spec.name}' is a ${connector.kind} connection, whose tables cannot be sampled; name a file or a block instead`);
  }
  const connection = await connector.connect(parseConnectionSettings(spec, connector.connectionSchema), { name: spec.name, projectRoot: project.root, warehousePath: project.warehousePath });
  try {
    const query = `SELECT * FROM ${connector.identifiers.table(source.table)} LIMIT ${sampleRows}`;
    const logger = createLogger(() => undefined);
    const read = await connection.read!(
      { settings: { query }, location: path.join(scratch, 'table.parquet') },
      { projectRoot: project.root, tempDir: scratch, session: context.session, logger, signal: context.signal ?? new AbortController().signal, block: `map ${source.connection}.${source.table}` },
    );
    return read.output;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError('map.read_failed', mask(`cannot read ${source.connection}.${source.table}: ${(error as Error).message}`), { cause: error });
  } finally {
    await connection.close().catch(() => undefined);
  }
}

async function sampleColumns(session: DataPlaneSession, alias: string, output: StoredOutput): Promise<FieldSample[]> {
  if (!output.columns.length) return [];
  const list = output.columns.map((c, i) => `CAST(${quoteIdent(c.name)} AS VARCHAR) AS c${i}`).join(', ');
  const rows = await session.query(`SELECT ${list} FROM ${quoteIdent(alias)} LIMIT ${sampleRows}`);
  return output.columns.map((column, i) => {
    const counts = new Map<string, number>();
    for (const row of rows) {
      const value = row[`c${i}`];
      if (typeof value === 'string' && value.trim() !== '') counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    const values = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, valuesPerColumn).map(([v]) => v);
    return { name: column.name, type: column.type, values };
  });
}

/** A table name part written back as the user must have written it to keep its dots. */
function quoteIfNeeded(part: string): string {
  return /^[A-Za-z_][A-Za-z0-9_$]*$/.test(part) ? part : quoteIdent(part);
}

function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
