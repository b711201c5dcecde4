import type { LineageGraph, LineageNode } from '../../core/lineage/lineage-graph.ts';
import { nodeLabel } from '../../core/lineage/lineage-graph.ts';
import { loadProjectLineage, type ProjectLineageReport } from '../../core/lineage/load-project-lineage.ts';
import { columnOrigins, findDatasets, traceLineage, type TraceStep } from '../../core/lineage/trace-lineage.ts';
import { loadProject } from '../../core/project/load-project.ts';
import { createEngine, type Engine } from '../../engine/create-engine.ts';
import { bold, dim, yellow, type Output } from '../output.ts';
import { UsageError } from '../usage-error.ts';

/**
 * `sluice lineage TABLE`: where a table's data comes from and where it goes,
 * across pipelines, read from the project's files; with `--json`, the graph.
 */
export async function lineageCommand(table: string | undefined, options: { json?: boolean }, out: Output): Promise<number> {
  const engine = await createEngine(loadProject(process.cwd()));
  try {
    const report = await readLineage(engine);
    if (options.json) {
      out.line(JSON.stringify(table === undefined ? report : { ...report, matches: findDatasets(report.graph, table).map((n) => n.id) }, null, 2));
      return 0;
    }
    if (table === undefined) throw new UsageError('name a table (CONNECTION.TABLE, a table name or a file path), or give --json for the whole graph');
    const matches = findDatasets(report.graph, table);
    if (!matches.length) {
      const known = report.graph.nodes.filter((n) => n.kind === 'dataset').map(nodeLabel).sort();
      throw new UsageError(`no pipeline reads or writes '${table}'${known.length ? ` (tables and files: ${known.join(', ')})` : ''}`);
    }
    for (const dataset of matches) printTrace(report.graph, dataset, out);
    printWarnings(report, matches.map((m) => m.id), out);
    return 0;
  } finally {
    await engine.close();
  }
}

/** The project's lineage, its SQL parsed by the engine's own parser. */
export async function readLineage(engine: Engine): Promise<ProjectLineageReport> {
  const session = await (await engine.dataPlane()).openSession();
  try {
    return await loadProjectLineage({ project: engine.project, connectors: engine.connectors, session, store: engine.store });
  } finally {
    await session.close();
  }
}

function printTrace(graph: LineageGraph, dataset: LineageNode, out: Output): void {
  out.line(bold(`${dataset.kind === 'dataset' ? dataset.type : 'block'} ${nodeLabel(dataset)}`));
  for (const direction of ['upstream', 'downstream'] as const) {
    const steps = traceLineage(graph, dataset.id, direction);
    out.line(`  ${direction}:${steps.length ? '' : dim(' nothing')}`);
    printSteps(steps, '    ', out);
  }
  printColumns(graph, dataset, out);
}

/** Where each column a block writes into the table starts, through every SQL block on the way. */
function printColumns(graph: LineageGraph, dataset: LineageNode, out: Output): void {
  const labels = new Map(graph.nodes.map((node) => [node.id, nodeLabel(node)]));
  for (const writer of graph.edges.filter((edge) => edge.to === dataset.id)) {
    const columns = graph.columns[writer.from] ?? [];
    if (!columns.length) continue;
    out.line(`  columns written by ${labels.get(writer.from)}:`);
    for (const column of columns) {
      const origins = columnOrigins(graph, writer.from, column.name).map((o) => `${labels.get(o.node) ?? o.node}.${o.column}`);
      out.line(`    ${column.name} ${dim('<-')} ${origins.length ? origins.join(', ') : dim('no column (computed)')}`);
    }
  }
}

function printSteps(steps: readonly TraceStep[], indent: string, out: Output): void {
  for (const step of steps) {
    out.line(`${indent}${describeNode(step.node)}${step.repeated ? dim(' (shown above)') : ''}`);
    printSteps(step.next, `${indent}  `, out);
  }
}

function describeNode(node: LineageNode): string {
  if (node.kind === 'block') return `${nodeLabel(node)} ${dim(`(${node.role}, ${node.file}${node.line ? `:${node.line}` : ''})`)}`;
  return `${node.type} ${nodeLabel(node)}`;
}

function printWarnings(report: ProjectLineageReport, datasets: readonly string[], out: Output): void {
  for (const warning of report.warnings) if (datasets.includes(warning.dataset)) out.line(yellow(`warning: ${warning.message}`));
}
