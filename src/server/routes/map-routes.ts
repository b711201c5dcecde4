import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Hono } from 'hono';
import { z } from 'zod';
import { listPipelines, loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import { loadProject } from '../../core/project/load-project.ts';
import { connectionNames } from '../../toolkit/mapping/field-source.ts';
import { planMappingBlock } from '../../toolkit/mapping/mapping-block.ts';
import { mappingLines } from '../../toolkit/mapping/mapping-lines.ts';
import { suggestBetweenSources } from '../../toolkit/mapping/suggest-between-sources.ts';
import { addSqlBlock } from '../../workspace/add-sql-block.ts';
import type { AppDependencies } from '../app-context.ts';
import { noteAudit } from '../audit/audit-trail.ts';
import { parseBody } from '../http-problem.ts';
import type { FieldSuggestion } from '../../toolkit/mapping/suggest-field-mapping.ts';
import { answer } from '../route-answer.ts';

const sourceName = z.string().min(1).max(500);
const suggestBody = z.object({
  source: sourceName,
  target: sourceName,
  threshold: z.number().min(0).max(1).optional(),
  manyToOne: z.boolean().optional(),
});
const writeBody = z.object({
  source: sourceName,
  target: sourceName,
  /** The accepted pairs; target columns left out are written as NULL. */
  pairs: z.array(z.object({ source: z.string().min(1), target: z.string().min(1), note: z.string().max(500).optional() })).min(1).max(2000),
  /** Project-relative path of the new .sql file; its name is the block's. */
  file: z.string().min(1).max(300),
  /** The pipeline to add the block to (default: the source block's). */
  pipeline: z.string().min(1).max(200).optional(),
});

/** What `POST /api/map/suggest` and `POST /api/map/blocks` take. */
export type MapSuggestRequest = z.input<typeof suggestBody>;
export type MapBlockRequest = z.input<typeof writeBody>;

/** `GET /api/map/sources`: what a mapping can read from or write onto. */
export interface MapSources {
  readonly blocks: readonly string[];
  readonly files: readonly string[];
  readonly connections: readonly string[];
}

/** One side of a suggestion: its columns with the first few sampled values. */
export interface SampledSide {
  readonly label: string;
  readonly sampledRows: number;
  readonly columns: readonly { readonly name: string; readonly type: string; readonly values: readonly string[] }[];
}

/** `POST /api/map/suggest`: both sides as sampled, and the suggested pairs. */
export interface MapSuggestAnswer {
  readonly source: SampledSide;
  readonly target: SampledSide;
  readonly suggestions: readonly FieldSuggestion[];
}

/** `POST /api/map/blocks`: the block written. */
export interface MapBlockWritten {
  readonly pipeline: string;
  readonly block: string;
  readonly file: string;
  readonly sql: string;
}

const dataFile = /\.(csv|tsv|parquet|json|jsonl|ndjson)(\.gz)?$/i;

/**
 * Field mapping (docs/field-mapping.md): what can be mapped, the suggested
 * mapping between two sources, and writing an accepted mapping as a block.
 */
export function mapRoutes(deps: AppDependencies): Hono {
  const app = new Hono();

  app.get('/map/sources', (c) => {
    const project = loadProject(deps.root);
    const blocks: string[] = [];
    for (const name of listPipelines(project.root)) {
      try {
        for (const block of loadPipeline(project.root, name).blocks) blocks.push(`${name}.${block.name}`);
      } catch {
        // A pipeline that does not load has no blocks to offer; the pipelines page names its error.
      }
    }
    return answer(c, 'GET /api/map/sources', { blocks, files: dataFiles(project.root), connections: connectionNames(project) } satisfies MapSources);
  });

  app.post('/map/suggest', async (c) => {
    noteAudit(c, false);
    const body = await parseBody(c, suggestBody);
    const project = loadProject(deps.root);
    const mapping = await deps.withSession((session) => suggestBetweenSources(body, { project, store: deps.store, outputs: deps.outputs, connectors: deps.connectors, session }));
    const side = (s: typeof mapping.from): SampledSide => ({ label: s.label, sampledRows: s.sampledRows, columns: s.columns.map((col) => ({ name: col.name, type: col.type, values: col.values.slice(0, 5) })) });
    return answer(c, 'POST /api/map/suggest', { source: side(mapping.from), target: side(mapping.onto), suggestions: mapping.suggestions } satisfies MapSuggestAnswer);
  });

  app.post('/map/blocks', async (c) => {
    const body = await parseBody(c, writeBody);
    const project = loadProject(deps.root);
    // The columns are read again, so the block is written against what the sources hold now.
    const mapping = await deps.withSession((session) => suggestBetweenSources(body, { project, store: deps.store, outputs: deps.outputs, connectors: deps.connectors, session }));
    const lines = mappingLines(body.pairs, mapping.from.columns.map((col) => col.name), mapping.onto.columns.map((col) => col.name));
    const plan = planMappingBlock(project, deps.connectors, { source: mapping.source, targetLabel: mapping.onto.label, pipeline: body.pipeline, lines });
    const name = path.basename(body.file, '.sql');
    addSqlBlock(project.root, plan.pipeline, { name, file: body.file, sql: plan.sql, upstream: plan.upstream, connection: plan.connection });
    noteAudit(c, { action: 'block.add', target: `${plan.pipeline}/${name}`, detail: { mapping: `${body.source} -> ${body.target}` } });
    return answer(c, 'POST /api/map/blocks', { pipeline: plan.pipeline, block: name, file: body.file, sql: plan.sql } satisfies MapBlockWritten, 201);
  });

  return app;
}

/** Data files in the project (not in hidden folders or node_modules), a few levels deep, at most 200. */
function dataFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 4 || found.length >= 200) return;
    let entries;
    try {
      entries = readdirSync(path.join(root, dir), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const relative = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(relative, depth + 1);
      else if (entry.isFile() && dataFile.test(entry.name) && found.length < 200) found.push(relative);
    }
  };
  walk('', 0);
  return found;
}
