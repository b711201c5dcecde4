import path from 'node:path';
import { Hono } from 'hono';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.ts';
import { loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import type { DedupeBlock } from '../../core/pipeline/pipeline.ts';
import { checkDedupeBlock } from '../../toolkit/dedupe/dedupe-block-runner.ts';
import { dedupeBlockSettingsSchema } from '../../toolkit/dedupe/dedupe-settings.ts';
import { pairDecisionsFile, recordPairDecisions } from '../../toolkit/dedupe/pair-decisions.ts';
import { checkPrepareBlock } from '../../toolkit/ml/prepare-block-runner.ts';
import { prepareSettingsSchema } from '../../toolkit/ml/prepare-settings.ts';
import { checkExamplesBlock } from '../../toolkit/llm/examples-block-runner.ts';
import { examplesSettingsSchema } from '../../toolkit/llm/examples-settings.ts';
import { editPipeline, pipelineFileOf } from '../../workspace/edit-pipeline.ts';
import { setNoCodeSettings } from '../../workspace/pipeline-document.ts';
import type { AppDependencies } from '../app-context.ts';
import { noteAudit } from '../audit/audit-trail.ts';
import { parseBody } from '../http-problem.ts';
import { settingsJsonSchema, type JsonSchema } from '../settings-json-schema.ts';
import { describePipeline } from './pipeline-routes.ts';
import { answer } from '../route-answer.ts';

/** The no-code blocks whose settings the UI edits as one form: the key under the block, and how its settings are checked. */
const noCodeKinds = {
  dedupe: {
    schema: dedupeBlockSettingsSchema,
    check: (name: string, file: string, settings: Record<string, unknown>) =>
      checkDedupeBlock({ name, declaredName: name, part: 'clusters', language: 'dedupe', role: 'transformer', upstream: [], declaredAt: { file }, settings }),
  },
  prepare: {
    schema: prepareSettingsSchema,
    check: (name: string, file: string, settings: Record<string, unknown>) =>
      checkPrepareBlock({ name, declaredName: name, part: 'split', language: 'prepare', role: 'transformer', upstream: [], declaredAt: { file }, settings }),
  },
  examples: {
    schema: examplesSettingsSchema,
    check: (name: string, file: string, settings: Record<string, unknown>) =>
      checkExamplesBlock({ name, declaredName: name, part: 'examples', language: 'examples', role: 'transformer', upstream: [], declaredAt: { file }, settings }),
  },
} as const;
type NoCodeKind = keyof typeof noCodeKinds;

const settingsBody = z.object({ settings: z.record(z.string(), z.unknown()) }).strict();

const side = z.record(z.string(), z.string().nullable());
const pairDecisionsBody = z.object({ decisions: z.array(z.object({ left: side, right: side, same: z.boolean() }).strict()).min(1) }).strict();

/** What `PUT /api/pipelines/:name/blocks/:block/{dedupe,prepare,examples}` and `.../pair-decisions` take. */
export type NoCodeSettingsRequest = z.input<typeof settingsBody>;
export type PairDecisionsRequest = z.input<typeof pairDecisionsBody>;

/**
 * The settings of `dedupe:`, `prepare:` and `examples:` blocks as JSON Schema, so the UI
 * generates their forms, and the routes that write them into the pipeline file.
 */
/** `GET /api/no-code-blocks`: each no-code kind's settings as JSON Schema. */
export interface NoCodeBlocksInfo {
  readonly blocks: Readonly<Record<NoCodeKind, { readonly settings: JsonSchema }>>;
}

export function noCodeBlockRoutes(deps: AppDependencies): Hono {
  const app = new Hono();

  app.get('/no-code-blocks', (c) =>
    answer(c, 'GET /api/no-code-blocks', { blocks: Object.fromEntries(Object.entries(noCodeKinds).map(([kind, { schema }]) => [kind, { settings: settingsJsonSchema(schema) }])) } as NoCodeBlocksInfo),
  );

  for (const kind of Object.keys(noCodeKinds) as NoCodeKind[]) {
    app.put(`/pipelines/:name/blocks/:block/${kind}`, async (c) => {
      const { settings } = await parseBody(c, settingsBody);
      const [pipelineName, blockName] = [c.req.param('name'), c.req.param('block')];
      // The loader leaves these settings to the runner, so they are checked here, before the file changes.
      const file = path.relative(deps.root, pipelineFileOf(deps.root, pipelineName));
      noCodeKinds[kind].check(blockName, file, settings);
      const pipeline = editPipeline(deps.root, pipelineName, (doc) => setNoCodeSettings(doc, blockName, kind, settings));
      noteAudit(c, { action: 'block.update', target: `${pipelineName}/${blockName}`, detail: { settings: kind } });
      return answer(c, `PUT /api/pipelines/:name/blocks/:block/${kind}` as const, { pipeline: describePipeline(deps.root, pipeline) });
    });
  }

  // A reviewer's decisions on a dedupe block's pairs to review, kept in the project for its next run.
  app.post('/pipelines/:name/blocks/:block/pair-decisions', async (c) => {
    const { decisions } = await parseBody(c, pairDecisionsBody);
    const [pipelineName, blockName] = [c.req.param('name'), c.req.param('block')];
    const block = loadPipeline(deps.root, pipelineName).blocks.find((b): b is DedupeBlock => b.language === 'dedupe' && b.declaredName === blockName);
    if (!block) throw new ConfigError('block.not_dedupe', `pipeline '${pipelineName}' has no dedupe block '${blockName}'`);
    // A decision names the compared columns exactly, as the run keys the pairs it finds.
    const compared = Object.keys(checkDedupeBlock(block).settings.columns).sort().join(', ');
    for (const { left, right } of decisions) {
      for (const named of [left, right]) {
        if (Object.keys(named).sort().join(', ') !== compared) throw new ConfigError('dedupe.bad_decision', `a decided pair gives the columns ${Object.keys(named).join(', ') || 'none'}; '${blockName}' compares ${compared}`);
      }
    }
    recordPairDecisions(deps.root, pipelineName, blockName, decisions);
    return answer(c, 'POST /api/pipelines/:name/blocks/:block/pair-decisions', { file: pairDecisionsFile(pipelineName, blockName), decided: decisions.length });
  });

  return app;
}
