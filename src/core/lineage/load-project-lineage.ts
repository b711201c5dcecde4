import type { ConnectorRegistry } from '../connectors/connector.ts';
import type { DataPlaneSession } from '../data-plane/data-plane.ts';
import { toSluiceError, type SluiceError } from '../errors.ts';
import { listPipelines, loadPipeline } from '../pipeline/load-pipeline.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';
import type { Project } from '../project/load-project.ts';
import type { RunHistory } from '../run-store/run-history.ts';
import type { LineageGraph } from './lineage-graph.ts';
import { projectLineage } from './project-lineage.ts';
import { createSqlParser } from './sql-parser.ts';
import { findTwoWriters, type TwoWritersWarning } from './two-writers.ts';

export interface ProjectLineageReport {
  readonly graph: LineageGraph;
  /** Tables with more than one writer and no declared owner, and owners that write nothing. */
  readonly warnings: readonly TwoWritersWarning[];
  /** Pipelines left out because they do not load (validate says why). */
  readonly unloaded: readonly { readonly pipeline: string; readonly error: SluiceError }[];
}

/**
 * Reads every pipeline of a project into one lineage graph and checks it for
 * tables with two writers. SQL is parsed by the data plane's engine; the run
 * store, when given, lends the columns of stored outputs and the tables
 * TypeScript blocks were seen to touch.
 */
export async function loadProjectLineage(options: {
  readonly project: Project;
  readonly connectors: ConnectorRegistry;
  readonly session: Pick<DataPlaneSession, 'query'>;
  readonly store?: Pick<RunHistory, 'latestOutput' | 'latestDatasets'> | undefined;
}): Promise<ProjectLineageReport> {
  const pipelines: Pipeline[] = [];
  const unloaded: { pipeline: string; error: SluiceError }[] = [];
  for (const name of listPipelines(options.project.root)) {
    try {
      pipelines.push(loadPipeline(options.project.root, name));
    } catch (error) {
      unloaded.push({ pipeline: name, error: toSluiceError(error) });
    }
  }
  const store = options.store;
  const graph = await projectLineage({
    project: options.project,
    pipelines,
    connectors: options.connectors,
    parser: createSqlParser(options.session),
    storedColumns: store && (async (pipeline, block) => (await store.latestOutput(pipeline, block))?.columns?.map((c) => c.name)),
    recordedDatasets: store && ((pipeline, block) => store.latestDatasets(pipeline, block)),
  });
  return { graph, warnings: findTwoWriters(graph, options.project.settings.tables), unloaded };
}
