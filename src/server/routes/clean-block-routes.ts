import path from 'node:path';
import { Hono } from 'hono';
import { z } from 'zod';
import { checkCleanBlock, type CleanTools } from '../../core/run/clean-block-runner.ts';
import { editPipeline, pipelineFileOf } from '../../workspace/edit-pipeline.ts';
import { setCleanColumns } from '../../workspace/pipeline-document.ts';
import type { AppDependencies } from '../app-context.ts';
import { noteAudit } from '../audit/audit-trail.ts';
import { parseBody } from '../http-problem.ts';
import { settingsJsonSchema, type JsonSchema } from '../settings-json-schema.ts';
import { describePipeline } from './pipeline-routes.ts';
import { answer } from '../route-answer.ts';

const cleanColumnsBody = z
  .object({
    /** Each column to its tool and the tool's settings, as under `clean:` in the pipeline file. */
    columns: z.record(z.string().min(1), z.object({ tool: z.string().min(1) }).loose()),
  })
  .strict();

/** What `PUT /api/pipelines/:name/blocks/:block/clean` takes. */
export type CleanColumnsRequest = z.input<typeof cleanColumnsBody>;

/** A tool a no-code clean block can name, with its settings as JSON Schema (`GET /api/clean-tools`). */
export interface CleanToolInfo {
  readonly name: string;
  readonly settings: JsonSchema;
}

/**
 * The clean tools with their settings as JSON Schema, so the UI generates a
 * form for any tool registered, and the route that writes a clean block's columns.
 */
export function cleanBlockRoutes(deps: AppDependencies, tools: CleanTools): Hono {
  const app = new Hono();

  app.get('/clean-tools', (c) =>
    answer(c, 'GET /api/clean-tools', { tools: Object.entries(tools).map(([name, tool]): CleanToolInfo => ({ name, settings: settingsJsonSchema(tool.settings) })) }),
  );

  app.put('/pipelines/:name/blocks/:block/clean', async (c) => {
    const body = await parseBody(c, cleanColumnsBody);
    const [pipelineName, blockName] = [c.req.param('name'), c.req.param('block')];
    // The loader leaves tools to the runner, so the settings are checked here, before the file changes.
    const file = path.relative(deps.root, pipelineFileOf(deps.root, pipelineName));
    const columns = Object.entries(body.columns).map(([column, { tool, ...settings }]) => ({ column, tool, settings }));
    checkCleanBlock({ name: blockName, language: 'clean', role: 'transformer', upstream: [], declaredAt: { file }, columns }, tools);
    const pipeline = editPipeline(deps.root, pipelineName, (doc) => setCleanColumns(doc, blockName, body.columns));
    noteAudit(c, { action: 'block.update', target: `${pipelineName}/${blockName}`, detail: { settings: 'clean' } });
    return answer(c, 'PUT /api/pipelines/:name/blocks/:block/clean', { pipeline: describePipeline(deps.root, pipeline) });
  });

  return app;
}
