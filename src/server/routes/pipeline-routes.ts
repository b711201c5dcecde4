import path from 'node:path';
import { Hono } from 'hono';
import { z } from 'zod';
import { toSluiceError } from '../../core/errors.ts';
import { listPipelines, loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import type { Block, Pipeline } from '../../core/pipeline/pipeline.ts';
import { nextDue } from '../../scheduler/due-intervals.ts';
import { createPipelineFile, deletePipelineFile } from '../../workspace/edit-pipeline.ts';
import type { AppDependencies } from '../app-context.ts';
import { parseBody } from '../http-problem.ts';

/** The pipeline list and one pipeline's shape, for the pipelines page and the editor. */
export function pipelineRoutes(deps: AppDependencies): Hono {
  const app = new Hono();

  app.get('/pipelines', async (c) => {
    const pipelines = [];
    for (const name of listPipelines(deps.root)) {
      const [last] = await deps.store.listRuns({ pipeline: name, limit: 1 });
      try {
        const pipeline = loadPipeline(deps.root, name);
        pipelines.push({
          name,
          description: pipeline.description ?? null,
          blocks: pipeline.blocks.length,
          schedule: pipeline.schedule ?? null,
          triggers: triggersOf(pipeline),
          lastRun: last ?? null,
          nextRun: pipeline.schedule ? (nextDue(pipeline.schedule, new Date())?.toISOString() ?? null) : null,
        });
      } catch (error) {
        pipelines.push({ name, lastRun: last ?? null, error: toSluiceError(error).toJSON() });
      }
    }
    return c.json({ pipelines });
  });

  app.post('/pipelines', async (c) => {
    const body = await parseBody(c, z.object({ name: z.string(), description: z.string().max(2000).optional() }).strict());
    const file = createPipelineFile(deps.root, body.name, body.description);
    return c.json({ pipeline: describePipeline(deps.root, loadPipeline(deps.root, body.name)), file: path.relative(deps.root, file) }, 201);
  });

  app.get('/pipelines/:name', (c) => c.json({ pipeline: describePipeline(deps.root, loadPipeline(deps.root, c.req.param('name'))) }));

  app.delete('/pipelines/:name', (c) => {
    deletePipelineFile(deps.root, c.req.param('name'));
    return c.json({ deleted: c.req.param('name') });
  });

  return app;
}

export function triggersOf(pipeline: Pipeline): { schedule: Pipeline['schedule'] | null; schedule_enabled: boolean; api_enabled: boolean; on_file: Pipeline['onFile'] | null } {
  return {
    schedule: pipeline.schedule ?? null,
    schedule_enabled: pipeline.schedule?.enabled ?? false,
    api_enabled: pipeline.apiEnabled,
    on_file: pipeline.onFile ?? null,
  };
}

/** A pipeline as the editor draws it; block files relative to the project. */
export function describePipeline(root: string, pipeline: Pipeline): Record<string, unknown> {
  return {
    name: pipeline.name,
    file: path.relative(root, pipeline.file),
    description: pipeline.description ?? null,
    variables: pipeline.variables,
    schedule: pipeline.schedule ?? null,
    triggers: triggersOf(pipeline),
    blocks: pipeline.blocks.map((b) => describeBlock(root, b)),
  };
}

function describeBlock(root: string, block: Block): Record<string, unknown> {
  const base = { name: block.name, role: block.role, upstream: block.upstream, description: block.description ?? null, line: block.declaredAt.line ?? null };
  switch (block.language) {
    case 'ts':
      return { ...base, language: 'ts', file: path.relative(root, block.file), settings: block.settings };
    case 'sql':
      return { ...base, language: 'sql', file: path.relative(root, block.file), connection: block.connection ?? null, settings: {} };
    case 'connector':
      return { ...base, language: 'connector', connector: block.connector ?? null, connection: block.connection ?? null, settings: block.settings };
    case 'sync':
      return { ...base, language: 'sync', settings: block.settings };
    case 'clean':
      return { ...base, language: 'clean', settings: Object.fromEntries(block.columns.map((c) => [c.column, { tool: c.tool, ...c.settings }])) };
    case 'prepare':
      return { ...base, language: 'prepare', part: block.part, declaredName: block.declaredName, settings: block.settings };
    case 'dedupe':
      return { ...base, language: 'dedupe', part: block.part, declaredName: block.declaredName, settings: block.settings };
  }
}
