import { Hono } from 'hono';
import { z } from 'zod';
import type { LineageGraph } from '../../core/lineage/lineage-graph.ts';
import { loadProjectLineage, type ProjectLineageReport } from '../../core/lineage/load-project-lineage.ts';
import { findDatasets, traceLineage, type TraceStep } from '../../core/lineage/trace-lineage.ts';
import type { SerializedError } from '../../core/errors.ts';
import { loadProject } from '../../core/project/load-project.ts';
import type { AppDependencies } from '../app-context.ts';
import { parseQuery } from '../http-problem.ts';
import { answer } from '../route-answer.ts';

const lineageQuery = z.object({ table: z.string().min(1).max(500).optional() });
export type LineageQuery = typeof lineageQuery;

/** `GET /api/lineage`: the graph, its warnings, the pipelines that did not load, and with `?table=` each match's trace. */
export type LineageAnswer = LineageGraph & {
  readonly warnings: ProjectLineageReport['warnings'];
  readonly unloaded: readonly { readonly pipeline: string; readonly error: SerializedError }[];
  readonly traces?: readonly { readonly dataset: string; readonly upstream: readonly TraceStep[]; readonly downstream: readonly TraceStep[] }[];
};

/**
 * The project's lineage across pipelines, read from its files, with the
 * tables that two pipelines (or blocks) write. `?table=` adds what is
 * upstream and downstream of each table the name matches.
 */
export function lineageRoutes(deps: AppDependencies): Hono {
  const app = new Hono();

  app.get('/lineage', async (c) => {
    const q = parseQuery(lineageQuery, c.req.query());
    const project = loadProject(deps.root);
    const report = await deps.withSession((session) => loadProjectLineage({ project, connectors: deps.connectors, session, store: deps.store }));
    const traces = q.table === undefined
      ? undefined
      : findDatasets(report.graph, q.table).map((node) => ({ dataset: node.id, upstream: traceLineage(report.graph, node.id, 'upstream'), downstream: traceLineage(report.graph, node.id, 'downstream') }));
    return answer(c, 'GET /api/lineage', {
      ...report.graph,
      warnings: report.warnings,
      unloaded: report.unloaded.map((u) => ({ pipeline: u.pipeline, error: u.error.toJSON() })),
      ...(traces ? { traces } : {}),
    } satisfies LineageAnswer);
  });

  return app;
}
