import { loadProjectLineage } from '../../core/lineage/load-project-lineage.ts';
import { blockId } from '../../core/lineage/lineage-graph.ts';
import { matchesPiiRule, piiColumns, type PiiColumns } from '../../core/lineage/pii-columns.ts';
import { listPipelines, loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import type { Pipeline } from '../../core/pipeline/pipeline.ts';
import { loadProject } from '../../core/project/load-project.ts';
import type { AppDependencies } from '../app-context.ts';

/** The project's personal-data marks as of one reading of its files. */
interface Marks {
  readonly rules: readonly string[];
  readonly byNode: PiiColumns;
  /** The pipelines that load: a block of any other has marks no one can read, so all its columns are masked. */
  readonly loaded: ReadonlySet<string>;
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
    const project = loadProject(this.deps.root);
    const rules = project.settings.pii.columns;
    const pipelines = loadablePipelines(project.root);
    const loaded = new Set(pipelines.map((p) => p.name));
    try {
      const report = await this.deps.withSession((session) => loadProjectLineage({ project, connectors: this.deps.connectors, session, store: this.deps.store }));
      return { rules, loaded, byNode: piiColumns(report.graph, pipelines, rules) };
    } catch {
      // Without lineage the marks the blocks declare still hold; the rules are applied by name at each look.
      return { rules, loaded, byNode: new Map(pipelines.flatMap((p) => p.blocks.filter((b) => b.pii?.length).map((b) => [blockId(p.name, b.name), new Set(b.pii)] as const))) };
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
