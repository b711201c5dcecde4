import { loadProjectLineage } from '../../core/lineage/load-project-lineage.ts';
import { blockId } from '../../core/lineage/lineage-graph.ts';
import { matchesPiiRule, piiColumns, type PiiColumns } from '../../core/lineage/pii-columns.ts';
import { listPipelines, loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import type { Pipeline } from '../../core/pipeline/pipeline.ts';
import { loadProject } from '../../core/project/load-project.ts';
import { loadStreamingPipeline } from '../../streaming/index.ts';
import type { AppDependencies } from '../app-context.ts';

/** The project's personal-data marks as of one reading of its files. */
interface Marks {
  readonly rules: readonly string[];
  readonly byNode: PiiColumns;
  /** The pipelines that load: a block of any other has marks no one can read, so all its columns are masked. */
  readonly loaded: ReadonlySet<string>;
  /** Per block id, the nodes it reads: its upstream blocks, and the tables and files lineage finds. */
  readonly inputs: ReadonlyMap<string, readonly string[]>;
  /** Whether the project names personal data anywhere: a rule, or a mark lineage can read. */
  readonly declares: boolean;
  /** The streaming pipelines that load: they carry no marks of their own. */
  readonly streaming: ReadonlySet<string>;
}

/** How long one reading of the project's marks serves the requests that follow: an edit applies within it. */
const maxAgeMs = 2000;

/**
 * Which columns of a block's output hold personal data, by the project's
 * files as they are now: the block's own `pii:` marks, the project's rules
 * (`pii.columns` in sluice.yaml) and what lineage carries downstream
 * (docs/pii.md). When lineage cannot be worked out, the marks and rules
 * still apply. Where the marks cannot be read, values stay hidden: a
 * project that does not load fails the request, and every column of a
 * pipeline that does not load (or no longer exists) is masked.
 */
export class PiiMarks {
  private cached: { readonly at: number; readonly marks: Promise<Marks> } | undefined;

  constructor(private readonly deps: Pick<AppDependencies, 'root' | 'connectors' | 'store' | 'withSession'>) {}

  /** The columns among `columns` (a block run's output columns) that hold personal data. */
  async columnsOf(pipeline: string, block: string, columns: readonly string[]): Promise<string[]> {
    const marks = await this.marks();
    if (!marks.loaded.has(pipeline)) return [...columns];
    const node = marks.byNode.get(blockId(pipeline, block));
    const marked = new Set([...(node ?? [])].map((c) => c.toLowerCase()));
    return columns.filter((c) => marked.has(c.toLowerCase()) || matchesPiiRule(c, marks.rules));
  }

  /**
   * The blocks of `pipeline` that read or write a personal-data column:
   * marked in their output, or in an input they read (so a message about a
   * row may quote a value). `outputs` are the block runs' stored columns, for
   * the rules to match the names a block's output took. `all` when the
   * pipeline does not load: its marks cannot be read. A streaming
   * pipeline marks no columns of its own: all its text is hidden when the
   * project names personal data anywhere, none of it when it names none.
   */
  async blocksHandling(pipeline: string, outputs: readonly { readonly block: string; readonly columns?: readonly { readonly name: string }[] | undefined }[]): Promise<ReadonlySet<string> | 'all'> {
    const marks = await this.marks();
    if (!marks.loaded.has(pipeline)) return marks.streaming.has(pipeline) && !marks.declares ? new Set() : 'all';
    const byRule = new Set(outputs.filter((o) => o.columns?.some((c) => matchesPiiRule(c.name, marks.rules))).map((o) => blockId(pipeline, o.block)));
    const holds = (node: string) => (marks.byNode.get(node)?.size ?? 0) > 0 || byRule.has(node);
    const handling = new Set<string>();
    const prefix = blockId(pipeline, '');
    const blocks = new Set([...marks.inputs.keys()].filter((id) => id.startsWith(prefix)).map((id) => id.slice(prefix.length)));
    for (const o of outputs) blocks.add(o.block);
    for (const block of blocks) {
      const id = blockId(pipeline, block);
      if (holds(id) || (marks.inputs.get(id) ?? []).some(holds)) handling.add(block);
    }
    return handling;
  }

  private marks(): Promise<Marks> {
    if (!this.cached || Date.now() - this.cached.at > maxAgeMs) {
      const marks = this.read();
      this.cached = { at: Date.now(), marks };
      // A failed reading is not kept: the next request tries again.
      marks.catch(() => {
        if (this.cached?.marks === marks) this.cached = undefined;
      });
    }
    return this.cached.marks;
  }

  private async read(): Promise<Marks> {
    const marks = await this.readMarks();
    return { ...marks, declares: marks.rules.length > 0 || [...marks.byNode.values()].some((columns) => columns.size > 0) };
  }

  private async readMarks(): Promise<Omit<Marks, 'declares'>> {
    const project = loadProject(this.deps.root);
    const rules = project.settings.pii.columns;
    const pipelines = loadablePipelines(project.root);
    const loaded = new Set(pipelines.map((p) => p.name));
    const streaming = new Set(listPipelines(project.root).filter((name) => !loaded.has(name) && isStreaming(project.root, name)));
    const upstream = new Map(pipelines.flatMap((p) => p.blocks.map((b) => [blockId(p.name, b.name), b.upstream.map((u) => blockId(p.name, u))] as const)));
    try {
      const report = await this.deps.withSession((session) => loadProjectLineage({ project, connectors: this.deps.connectors, session, store: this.deps.store }));
      const inputs = new Map(upstream);
      for (const edge of report.graph.edges) if (edge.to.startsWith('block:')) inputs.set(edge.to, [...new Set([...(inputs.get(edge.to) ?? []), edge.from])]);
      return { rules, loaded, streaming, inputs, byNode: piiColumns(report.graph, pipelines, rules) };
    } catch {
      // Without lineage the marks the blocks declare still hold; the rules are applied by name at each look.
      return { rules, loaded, streaming, inputs: upstream, byNode: new Map(pipelines.flatMap((p) => p.blocks.filter((b) => b.pii?.length).map((b) => [blockId(p.name, b.name), new Set(b.pii)] as const))) };
    }
  }
}

function loadablePipelines(root: string): Pipeline[] {
  return listPipelines(root).flatMap((name) => {
    try {
      return [loadPipeline(root, name)];
    } catch {
      return [];
    }
  });
}

function isStreaming(root: string, name: string): boolean {
  try {
    loadStreamingPipeline(root, name);
    return true;
  } catch {
    return false;
  }
}
