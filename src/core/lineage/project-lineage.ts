import { readFileSync } from 'node:fs';
import type { ConnectorRegistry } from '../connectors/connector.ts';
import { toSluiceError } from '../errors.ts';
import type { SyncStreamSpec } from '../pipeline/integration-schema.ts';
import type { Block, Pipeline } from '../pipeline/pipeline.ts';
import { connectionSpec, dataPlaneConnectionName, warehouseConnectionName } from '../project/connection-spec.ts';
import type { Project } from '../project/load-project.ts';
import { fillTemplates } from '../run/templates.ts';
import { declaredDataset, settingsDataset } from './declared-datasets.ts';
import { blockId, fileDataset, tableDataset, type BlockNode, type ColumnLineage, type DatasetNode, type LineageEdge, type LineageGraph, type LineageNode, type LineageNote } from './lineage-graph.ts';
import type { SqlParser } from './sql-parser.ts';
import type { TouchedDataset } from './touched-datasets.ts';
import { sqlLineage, type SqlLineage } from './sql-lineage.ts';

export interface ProjectLineageInput {
  readonly project: Project;
  /** The pipelines that loaded; one that does not load has no lineage. */
  readonly pipelines: readonly Pipeline[];
  readonly connectors: ConnectorRegistry;
  readonly parser: SqlParser;
  /** The columns of a block's latest stored output, when a run kept one: `SELECT *` resolves through them. */
  readonly storedColumns?: ((pipeline: string, block: string) => Promise<readonly string[] | undefined>) | undefined;
  /** The tables a TypeScript block's code read or wrote through its connections in its latest run that recorded any. */
  readonly recordedDatasets?: ((pipeline: string, block: string) => Promise<readonly TouchedDataset[] | undefined>) | undefined;
}

/**
 * The lineage of a whole project from its files: block edges, what SQL blocks
 * and queries read (by the engine's parser), the tables and files connector
 * blocks name, integration streams, and what TypeScript blocks declare with
 * `reads:` and `writes:` or were seen to touch through their connections when
 * they last ran. Pipelines meet where they name the same table.
 */
export async function projectLineage(input: ProjectLineageInput): Promise<LineageGraph> {
  const builder = new GraphBuilder(input);
  for (const pipeline of input.pipelines) for (const block of pipeline.blocks) await builder.addBlock(pipeline, block);
  return builder.graph();
}

/** What run-time templates stand for while only the files are read: themselves. */
const runValues = Object.fromEntries(['run_id', 'logical_date', 'data_interval_start', 'data_interval_end', 'trigger_file'].map((name) => [name, `{{ ${name} }}`]));

class GraphBuilder {
  private readonly nodes = new Map<string, LineageNode>();
  private readonly edges = new Map<string, LineageEdge>();
  private readonly columns: Record<string, ColumnLineage[]> = {};
  private readonly copies: Record<string, string> = {};
  private readonly notes: LineageNote[] = [];
  private readonly connections: ReadonlySet<string>;

  constructor(private readonly input: ProjectLineageInput) {
    this.connections = new Set([warehouseConnectionName, ...input.project.connections.keys()]);
  }

  graph(): LineageGraph {
    return { nodes: [...this.nodes.values()], edges: [...this.edges.values()], columns: this.columns, copies: this.copies, notes: this.notes };
  }

  async addBlock(pipeline: Pipeline, block: Block): Promise<void> {
    const id = blockId(pipeline.name, block.name);
    const node: BlockNode = { kind: 'block', id, pipeline: pipeline.name, block: block.name, role: block.role, language: block.language, file: block.declaredAt.file, line: block.declaredAt.line };
    this.nodes.set(id, node);
    for (const upstream of block.upstream) this.edge(blockId(pipeline.name, upstream), id);
    for (const [written, reading] of [...(block.reads ?? []).map((r) => [r, true] as const), ...(block.writes ?? []).map((w) => [w, false] as const)]) {
      const dataset = declaredDataset(written, this.connections);
      if ('problem' in dataset) this.note(id, dataset.problem);
      else this.flow(dataset, id, reading);
    }
    try {
      await this.addLogic(pipeline, block, id);
    } catch (error) {
      this.note(id, toSluiceError(error).message);
    }
    this.columns[id] ??= await this.storedColumnsOf(pipeline.name, block.name, []);
  }

  private async addLogic(pipeline: Pipeline, block: Block, id: string): Promise<void> {
    const values = { ...pipeline.variables, ...runValues, pipeline: pipeline.name };
    const where = { file: block.declaredAt.file, line: block.declaredAt.line, block: block.name };
    switch (block.language) {
      case 'prepare':
      case 'stream_lag':
      case 'examples':
        return;
      case 'ts': {
        const recorded = await this.input.recordedDatasets?.(pipeline.name, block.name).catch(() => undefined);
        for (const dataset of recorded ?? []) this.flow(tableDataset(dataset.connection, dataset.table), id, dataset.access === 'read');
        return;
      }
      case 'clean': {
        // The review block's rows are values, not rows of the upstream: no column comes from one column.
        if (block.part === 'review') return;
        // Every column comes from the same column of the one upstream; a cleaned column's flag and reason come from it too.
        const from = blockId(pipeline.name, block.upstream[0]!);
        const cleaned = new Set(block.columns.map((c) => c.column.toLowerCase()));
        this.columns[id] = (this.knownColumns(from) ?? []).flatMap((name) => {
          const sources = [{ node: from, column: name }];
          return cleaned.has(name) ? [name, `${name}_flag`, `${name}_reason`].map((column) => ({ name: column, sources })) : [{ name, sources }];
        });
        return;
      }
      case 'dedupe': {
        // The clusters part keeps every column of its upstream and adds the cluster id, computed from the compared columns.
        if (block.part === 'review') return;
        const from = blockId(pipeline.name, block.upstream[0]!);
        const columns = (this.knownColumns(from) ?? []).map((name) => ({ name, sources: [{ node: from, column: name }] }));
        const settings = block.settings.columns;
        const compared = new Set(settings && typeof settings === 'object' ? Object.keys(settings).map((c) => c.toLowerCase()) : []);
        this.columns[id] = [...columns, { name: 'cluster_id', sources: columns.filter((c) => compared.has(c.name)).map((c) => c.sources[0]!) }];
        return;
      }
      case 'sql': {
        const connection = block.connection && String(fillTemplates(block.connection, values, where));
        const inDataPlane = !connection || connection === dataPlaneConnectionName;
        const sql = readFileSync(block.file, 'utf8').replace(/[\s;]+$/, '');
        const found = await this.analyse(sql, id, (table) => (inDataPlane && block.upstream.includes(table) ? this.knownColumns(blockId(pipeline.name, table)) : undefined));
        if (!found) return;
        const nodeOf = (table: string): string | undefined => {
          if (table.startsWith('file:')) return fileDataset(table.slice(5)).id;
          if (!inDataPlane) return tableDataset(connection, table).id;
          const upstream = block.upstream.find((name) => name.toLowerCase() === table);
          return upstream === undefined ? undefined : blockId(pipeline.name, upstream);
        };
        for (const table of found.tables) {
          if (!inDataPlane) this.flow(tableDataset(connection, table), id, true);
          else if (!nodeOf(table)) this.note(id, `reads '${table}', which is not an upstream block of this block`);
        }
        for (const file of found.files) this.flow(fileDataset(file), id, true);
        this.columns[id] = mapColumns(found, nodeOf);
        return;
      }
      case 'connector': {
        const connection = block.connection && String(fillTemplates(block.connection, values, where));
        const kind = connection ? connectionSpec(this.input.project, connection).connector : block.connector!;
        const connector = this.input.connectors.get(kind);
        if (!connector) return this.note(id, `unknown connector '${kind}'`);
        const writing = block.role === 'exporter' || (block.role !== 'loader' && block.upstream.length > 0);
        const settings = fillTemplates(block.settings, values, where);
        const dataset = settingsDataset(settings, connection ?? kind, connector.capabilities);
        if (dataset) this.flow(dataset, id, !writing);
        if (writing) {
          const [upstream] = block.upstream;
          if (block.upstream.length === 1 && upstream) this.copy(id, blockId(pipeline.name, upstream), this.knownColumns(blockId(pipeline.name, upstream)));
          return;
        }
        if (typeof settings.query === 'string') await this.addSourceQuery(settings.query, connection ?? kind, id);
        else if (dataset) this.copy(id, dataset.id, await this.storedColumnsOf(pipeline.name, block.name, undefined));
        return;
      }
      case 'sync': {
        const spec = block.settings as SyncStreamSpec;
        const destination = tableDataset(spec.destination, spec.destinationTable);
        this.flow(destination, id, false);
        const source = spec.table !== undefined ? tableDataset(spec.source, spec.table) : typeof spec.file?.path === 'string' ? fileDataset(spec.file.path) : undefined;
        if (source) {
          this.flow(source, id, true);
          this.copy(id, source.id, await this.storedColumnsOf(pipeline.name, block.name, undefined));
        } else if (spec.query !== undefined) await this.addSourceQuery(spec.query, spec.source, id);
        return;
      }
    }
  }

  /** A query run inside a source connection: its tables are that connection's. */
  private async addSourceQuery(sql: string, connection: string, id: string): Promise<void> {
    const found = await this.analyse(sql, id, () => undefined);
    if (!found) return;
    for (const table of found.tables) this.flow(tableDataset(connection, table), id, true);
    this.columns[id] = mapColumns(found, (table) => (table.startsWith('file:') ? undefined : tableDataset(connection, table).id));
  }

  private async analyse(sql: string, id: string, columnsOf: (table: string) => readonly string[] | undefined): Promise<SqlLineage | undefined> {
    const parsed = await this.input.parser.parse(sql);
    if (!parsed.ok) {
      this.note(id, `its SQL could not be read for lineage: ${parsed.message}`);
      return undefined;
    }
    if (parsed.statements.length !== 1) {
      this.note(id, `its SQL holds ${parsed.statements.length} statements; lineage reads one SELECT`);
      return undefined;
    }
    const found = sqlLineage(parsed.statements[0]!, { columnsOf });
    for (const message of found.notes) this.note(id, message);
    return found;
  }

  /** A block output's columns: from its lineage when every one is named, else from its latest stored output. */
  private knownColumns(id: string): readonly string[] | undefined {
    const columns = this.columns[id];
    if (!columns?.length || columns.some((c) => c.name === '*')) return undefined;
    return columns.map((c) => c.name);
  }

  private async storedColumnsOf<T>(pipeline: string, block: string, otherwise: T): Promise<ColumnLineage[] | T> {
    const stored = await this.input.storedColumns?.(pipeline, block).catch(() => undefined);
    return stored ? stored.map((name) => ({ name: name.toLowerCase(), sources: [], opaque: true })) : otherwise;
  }

  /** A block that passes `from` on unchanged: each known column comes from the same column of `from`. */
  private copy(id: string, from: string, columns: readonly string[] | readonly ColumnLineage[] | undefined): void {
    this.copies[id] = from;
    this.columns[id] = (columns ?? []).map((column) => {
      const name = typeof column === 'string' ? column : column.name;
      return { name, sources: [{ node: from, column: name }] };
    });
  }

  private flow(dataset: DatasetNode, block: string, reading: boolean): void {
    this.nodes.set(dataset.id, dataset);
    if (reading) this.edge(dataset.id, block);
    else this.edge(block, dataset.id);
  }

  private edge(from: string, to: string): void {
    this.edges.set(`${from}\u0000${to}`, { from, to });
  }

  private note(node: string, message: string): void {
    if (!this.notes.some((n) => n.node === node && n.message === message)) this.notes.push({ node, message });
  }
}

/** A SQL analysis's columns, their sources named by graph node. */
function mapColumns(found: SqlLineage, nodeOf: (table: string) => string | undefined): ColumnLineage[] {
  return found.columns.map((column) => ({
    name: column.name,
    sources: column.sources.flatMap((source) => {
      const node = nodeOf(source.table);
      return node ? [{ node, column: source.column }] : [];
    }),
  }));
}
