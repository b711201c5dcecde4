import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LineageGraph } from '../lineage/lineage-graph.ts';
import { nodeLabel } from '../lineage/lineage-graph.ts';
import type { Block, Pipeline } from '../pipeline/pipeline.ts';
import type { Project } from '../project/load-project.ts';
import type { RunStore } from '../run-store/run-store.ts';
import type { Column } from '../data-plane/data-plane.ts';
import type { OutputProfile } from '../quality/profile-output.ts';
import { dagSvg } from './dag-svg.ts';
import { siteCss, searchJs } from './docs-site-assets.ts';
import { escapeHtml, page, pageSlug, table } from './docs-site-html.ts';
import { blockDescription } from './block-description.ts';
import { loadProjectLineage } from '../lineage/load-project-lineage.ts';
import { listPipelines, loadPipeline } from '../pipeline/load-pipeline.ts';
import { matchesPiiRule, piiColumns, type PiiColumns } from '../lineage/pii-columns.ts';

/** One entry of the search index: a page, its title and the words it is found by. */
export interface DocsSearchEntry {
  readonly kind: 'pipeline' | 'block' | 'table';
  readonly title: string;
  readonly url: string;
  readonly text: string;
}

export interface DocsSiteInput {
  readonly project: Project;
  readonly pipelines: readonly Pipeline[];
  readonly graph: LineageGraph;
  readonly store: Pick<RunStore, 'listRuns' | 'latestOutput' | 'getProfile'>;
  /** Personal-data columns per lineage node, marked on table and block pages. */
  readonly pii?: PiiColumns | undefined;
  /** How many recent runs each pipeline page lists. */
  readonly runsPerPipeline?: number | undefined;
}

export interface DocsSiteResult {
  readonly dir: string;
  readonly pages: number;
  readonly index: readonly DocsSearchEntry[];
}

const blockPage = (pipeline: string, block: string) => pageSlug('block', `${pipeline}/${block}`);
const pipelinePage = (pipeline: string) => pageSlug('pipeline', pipeline);
const datasetPage = (id: string) => pageSlug('table', id);

/**
 * Writes the project's documentation as a static site into `dir`: an index,
 * a page per pipeline, block and written table, a stylesheet and a search
 * over an index loaded as a script, so the site reads from file:// with no
 * server. Everything taken from the project is escaped.
 */
export async function buildDocsSite(input: DocsSiteInput, dir: string): Promise<DocsSiteResult> {
  const { project, pipelines, graph } = input;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const index: DocsSearchEntry[] = [];
  const write = (file: string, html: string) => writeFileSync(path.join(dir, file), html);
  const labels = new Map(graph.nodes.map((n) => [n.id, nodeLabel(n)]));
  const linkTo = (id: string): string => {
    const node = graph.nodes.find((n) => n.id === id);
    if (!node) return escapeHtml(id);
    const url = node.kind === 'block' ? blockPage(node.pipeline, node.block) : node.type === 'table' ? datasetPage(node.id) : undefined;
    const text = escapeHtml(node.kind === 'block' ? `${node.pipeline} / ${node.block}` : labels.get(id));
    return url && (node.kind === 'block' || writtenTables.has(node.id)) ? `<a href="${escapeHtml(url)}">${text}</a>` : text;
  };
  const writtenTables = new Set(graph.edges.filter((e) => e.from.startsWith('block:') && e.to.startsWith('table:')).map((e) => e.to));

  for (const pipeline of pipelines) {
    const runs = await input.store.listRuns({ pipeline: pipeline.name, limit: input.runsPerPipeline ?? 10 });
    const schedule = pipeline.schedule
      ? escapeHtml(pipeline.schedule.cron ?? `every ${pipeline.schedule.interval} ms`) + ` (${escapeHtml(pipeline.schedule.timezone)})`
      : 'none: runs when started';
    const owns = Object.entries(project.settings.tables).filter(([, t]) => t.owner === pipeline.name).map(([name]) => escapeHtml(name));
    const body = `<h1>Pipeline ${escapeHtml(pipeline.name)}</h1>
<p>${escapeHtml(pipeline.description ?? '')}</p>
<dl><dt>Schedule</dt><dd>${schedule}</dd><dt>Owner of</dt><dd>${owns.length ? owns.join(', ') : 'no declared tables'}</dd><dt>File</dt><dd>${escapeHtml(path.relative(project.root, pipeline.file))}</dd></dl>
<h2>Blocks</h2>${dagSvg(pipeline.blocks, (b) => blockPage(pipeline.name, b))}
${table(['block', 'role', 'description'], pipeline.blocks.map((b) => [`<a href="${escapeHtml(blockPage(pipeline.name, b.name))}">${escapeHtml(b.name)}</a>`, escapeHtml(b.role), escapeHtml(blockDescription(b))]))}
<h2>Last runs</h2>${table(['run', 'status', 'trigger', 'started', 'ended'], runs.map((r) => [escapeHtml(r.id), escapeHtml(r.status), escapeHtml(r.trigger), escapeHtml(r.startedAt), escapeHtml(r.endedAt ?? '')]))}`;
    write(pipelinePage(pipeline.name), page(`Pipeline ${pipeline.name}`, body, project.name));
    index.push({ kind: 'pipeline', title: pipeline.name, url: pipelinePage(pipeline.name), text: `${pipeline.description ?? ''} ${pipeline.blocks.map((b) => b.name).join(' ')}` });
    for (const block of pipeline.blocks) {
      write(blockPage(pipeline.name, block.name), page(`${pipeline.name} / ${block.name}`, blockBody(pipeline, block, graph, linkTo, project.root, input.pii), project.name));
      index.push({ kind: 'block', title: `${pipeline.name} / ${block.name}`, url: blockPage(pipeline.name, block.name), text: `${block.role} ${block.language} ${blockDescription(block)}` });
    }
  }

  for (const id of [...writtenTables].sort()) {
    const { columns, profile } = await latestColumns(input.store, graph, id);
    const writers = graph.edges.filter((e) => e.to === id).map((e) => linkTo(e.from));
    const readers = graph.edges.filter((e) => e.from === id).map((e) => linkTo(e.to));
    const declared = project.settings.tables[labels.get(id) ?? ''];
    const byName = new Map(profile?.columns.map((c) => [c.name, c]) ?? []);
    const writerIds = graph.edges.filter((e) => e.to === id).map((e) => e.from);
    // A rule names a column the writer's lineage may not know (a TypeScript block's output): it applies to the stored name too.
    const isPii = (column: string) => matchesPiiRule(column, project.settings.pii.columns) || writerIds.some((w) => marked(input.pii, w, column));
    const body = `<h1>Table ${escapeHtml(labels.get(id))}</h1><p>${escapeHtml(declared?.description ?? '')}</p>
<h2>Lineage</h2><p>Written by ${writers.join(', ') || 'nothing'}; read by ${readers.join(', ') || 'nothing in this project'}.</p>
<h2>Columns</h2>${columns ? table(['column', 'type', 'nulls', 'distinct (approx.)', 'min', 'max'], columns.map((c) => {
      const p = byName.get(c.name);
      // The site is read by anyone given the folder: a personal-data column's values never appear in it.
      const value = (v: unknown) => (isPii(c.name) && v !== undefined ? '<i>masked</i>' : escapeHtml(v ?? ''));
      return [piiLabel(c.name, isPii(c.name)), escapeHtml(c.type), escapeHtml(p?.nulls ?? ''), escapeHtml(p?.approxDistinct ?? ''), value(p?.min), value(p?.max)];
    })) : '<p class="none">Not known yet: run the pipeline that writes it.</p>'}
${profile ? `<p>Latest profile: ${escapeHtml(profile.rows)} rows.</p>` : ''}`;
    write(datasetPage(id), page(`Table ${labels.get(id)}`, body, project.name));
    index.push({ kind: 'table', title: labels.get(id) ?? id, url: datasetPage(id), text: `${declared?.description ?? ''} ${columns?.map((c) => c.name).join(' ') ?? ''}` });
  }

  const lineageRows = graph.edges.map((e) => [linkTo(e.from), linkTo(e.to)]);
  const home = `<h1>${escapeHtml(project.name)}</h1><p>${escapeHtml(project.settings.description ?? '')}</p>
<h2>Pipelines</h2>${table(['pipeline', 'description', 'blocks'], pipelines.map((p) => [`<a href="${escapeHtml(pipelinePage(p.name))}">${escapeHtml(p.name)}</a>`, escapeHtml(p.description ?? ''), String(p.blocks.length)]))}
<h2>Tables written</h2>${table(['table', 'written by'], [...writtenTables].sort().map((id) => [linkTo(id), graph.edges.filter((e) => e.to === id).map((e) => linkTo(e.from)).join(', ')]))}
<h2>Lineage</h2>${table(['from', 'to'], lineageRows)}`;
  write('index.html', page(project.name, home, project.name));
  write('site.css', siteCss);
  write('search.js', searchJs);
  // A script, not only JSON: a page opened from file:// may not fetch.
  write('search-index.js', `window.SLUICE_DOCS_INDEX = ${JSON.stringify(index).replace(/</g, '\\u003c')};\n`);
  write('search-index.json', JSON.stringify(index, null, 1));
  return { dir, pages: 1 + index.length, index };
}

function blockBody(pipeline: Pipeline, block: Block, graph: LineageGraph, linkTo: (id: string) => string, root: string, pii: PiiColumns | undefined): string {
  const id = `block:${pipeline.name}/${block.name}`;
  const reads = graph.edges.filter((e) => e.to === id).map((e) => linkTo(e.from));
  const writes = graph.edges.filter((e) => e.from === id).map((e) => linkTo(e.to));
  const columns = graph.columns[id] ?? [];
  const code = 'file' in block ? readFileSync(block.file, 'utf8') : JSON.stringify('settings' in block ? block.settings : {}, null, 2);
  return `<h1>Block ${escapeHtml(block.name)}</h1><p>Of pipeline <a href="${escapeHtml(pipelinePage(pipeline.name))}">${escapeHtml(pipeline.name)}</a>, a ${escapeHtml(block.role)} written in ${escapeHtml(block.language)}, declared in ${escapeHtml(path.relative(root, block.declaredAt.file))}.</p>
<p>${escapeHtml(blockDescription(block))}</p>
<h2>Reads</h2><p>${reads.join(', ') || 'nothing'}</p><h2>Writes</h2><p>${writes.join(', ') || 'nothing'}</p>
${columns.length ? `<h2>Output columns</h2>${table(['column', 'comes from'], columns.map((c) => [piiLabel(c.name, marked(pii, id, c.name)), c.sources.map((s) => `${linkTo(s.node)}.${escapeHtml(s.column)}`).join(', ')]))}` : ''}
<h2>Code</h2><pre><code>${escapeHtml(code)}</code></pre>`;
}

/** Whether lineage marks `column` of `node` as personal data; marks keep the case a block or a rule wrote them in, so names compare without it. */
function marked(pii: PiiColumns | undefined, node: string, column: string): boolean {
  const columns = pii?.get(node);
  return columns !== undefined && [...columns].some((c) => c.toLowerCase() === column.toLowerCase());
}

/** A column name, with its personal-data mark when it has one. */
function piiLabel(column: string, pii: boolean): string {
  return pii ? `${escapeHtml(column)} <span class="pii" title="personal data">PII</span>` : escapeHtml(column);
}

/** A written table's columns and profile: those of the latest output of the block whose rows its writer stores. */
async function latestColumns(store: DocsSiteInput['store'], graph: LineageGraph, id: string): Promise<{ columns?: readonly Column[]; profile?: OutputProfile }> {
  for (const edge of graph.edges.filter((e) => e.to === id)) {
    for (const blockNode of [edge.from, graph.copies[edge.from]]) {
      const match = blockNode && /^block:([^/]+)\/(.+)$/.exec(blockNode);
      if (!match) continue;
      const output = await store.latestOutput(match[1]!, match[2]!);
      if (!output?.columns?.length) continue;
      const profile = (await store.getProfile(output.runId, match[2]!))?.profile;
      return profile ? { columns: output.columns, profile } : { columns: output.columns };
    }
  }
  return {};
}

/**
 * The documentation of a project as its files and run store describe it now:
 * every pipeline that loads, the lineage across them (SQL parsed by the
 * given session's engine), written into `dir`.
 */
export async function buildProjectDocsSite(
  options: Omit<Parameters<typeof loadProjectLineage>[0], 'store'> & { readonly store: DocsSiteInput['store'] & Pick<RunStore, 'latestDatasets'> },
  dir: string,
): Promise<DocsSiteResult> {
  const report = await loadProjectLineage(options);
  const unloaded = new Set(report.unloaded.map((u) => u.pipeline));
  const pipelines = listPipelines(options.project.root).filter((name) => !unloaded.has(name)).map((name) => loadPipeline(options.project.root, name));
  const pii = piiColumns(report.graph, pipelines, options.project.settings.pii.columns);
  return buildDocsSite({ project: options.project, pipelines, graph: report.graph, store: options.store, pii }, dir);
}
