import path from 'node:path';
import { Hono } from 'hono';
import { z } from 'zod';
import { toSluiceError } from '../../core/errors.ts';
import { listPipelines, loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import type { Block, BlockLanguage, CleanPart, DedupePart, ExamplesPart, Pipeline, PreparePart } from '../../core/pipeline/pipeline.ts';
import type { BlockRole, VariableValue } from '../../core/pipeline/pipeline-schema.ts';
import type { SerializedError } from '../../core/errors.ts';
import type { RunRecord } from '../../core/run-store/run-store.ts';
import { nextDue } from '../../scheduler/due-intervals.ts';
import { createPipelineFile, deletePipelineFile } from '../../workspace/edit-pipeline.ts';
import type { AppDependencies } from '../app-context.ts';
import { noteAudit } from '../audit/audit-trail.ts';
import { parseBody } from '../http-problem.ts';
import { maskRunErrors } from '../pii/masked-run-text.ts';
import { answer } from '../route-answer.ts';

/** A pipeline's triggers (`GET /api/pipelines/:name/triggers`), as the pipeline file sets them. */
export interface Triggers {
  readonly schedule: Pipeline['schedule'] | null;
  readonly schedule_enabled: boolean;
  readonly api_enabled: boolean;
  readonly on_file: Pipeline['onFile'] | null;
  /** Runs on a streaming pipeline's closed windows or committed records; set in the file (read-only here). */
  readonly on_stream: Pipeline['onStream'] | null;
}

/** A row of `GET /api/pipelines`: a pipeline that loads, or one whose file is invalid (`error`, no blocks). */
export interface PipelineSummary {
  readonly name: string;
  readonly description?: string | null;
  /** How many blocks. */
  readonly blocks?: number;
  readonly schedule?: Pipeline['schedule'] | null;
  readonly triggers?: Triggers;
  readonly lastRun: RunRecord | null;
  /** ISO time of the schedule's next run. */
  readonly nextRun?: string | null;
  readonly error?: SerializedError;
}

/**
 * A block as the editor draws it. One shape for every language: the fields a
 * language lacks are absent (a connector block has `connector` and
 * `connection` instead of `file`; a dedupe block its `part`).
 */
export interface BlockSpec {
  readonly name: string;
  readonly role: BlockRole;
  readonly language: BlockLanguage;
  readonly upstream: readonly string[];
  readonly description: string | null;
  /** Where the block is declared in the pipeline file. */
  readonly line: number | null;
  readonly file?: string;
  readonly connector?: string | null;
  readonly connection?: string | null;
  readonly settings: Readonly<Record<string, unknown>>;
  /**
   * For a dedupe block: the rows with their cluster ids, or the pairs to review;
   * for a prepare block: every row with its side, or the train or test rows;
   * for a clean block's review block (`review`): the values left undecided.
   */
  readonly part?: DedupePart | PreparePart | CleanPart | ExamplesPart;
  /** For a dedupe, prepare or clean block's added block: its name in the pipeline file (the review and side blocks add `__review`, `__train`, `__test`). */
  readonly declaredName?: string;
}

/** A pipeline as `GET /api/pipelines/:name` and the block routes answer it; blocks in run order. */
export interface PipelineDetail {
  readonly name: string;
  /** The pipeline file, relative to the project. */
  readonly file: string;
  readonly description: string | null;
  readonly variables: Readonly<Record<string, VariableValue>>;
  readonly schedule: Pipeline['schedule'] | null;
  readonly triggers: Triggers;
  readonly blocks: readonly BlockSpec[];
}

const newPipelineBody = z.object({ name: z.string(), description: z.string().max(2000).optional() }).strict();

/** What `POST /api/pipelines` takes. */
export type NewPipelineRequest = z.input<typeof newPipelineBody>;

/** The pipeline list and one pipeline's shape, for the pipelines page and the editor. */
export function pipelineRoutes(deps: AppDependencies): Hono {
  const app = new Hono();

  app.get('/pipelines', async (c) => {
    const pipelines: PipelineSummary[] = [];
    for (const name of listPipelines(deps.root)) {
      const [last] = await maskRunErrors(c, deps.store, await deps.store.listRuns({ pipeline: name, limit: 1 }));
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
    return answer(c, 'GET /api/pipelines', { pipelines });
  });

  app.post('/pipelines', async (c) => {
    const body = await parseBody(c, newPipelineBody);
    const file = createPipelineFile(deps.root, body.name, body.description);
    noteAudit(c, { action: 'pipeline.create', target: body.name });
    return answer(c, 'POST /api/pipelines', { pipeline: describePipeline(deps.root, loadPipeline(deps.root, body.name)), file: path.relative(deps.root, file) }, 201);
  });

  app.get('/pipelines/:name', (c) => answer(c, 'GET /api/pipelines/:name', { pipeline: describePipeline(deps.root, loadPipeline(deps.root, c.req.param('name'))) }));

  app.delete('/pipelines/:name', (c) => {
    deletePipelineFile(deps.root, c.req.param('name'));
    noteAudit(c, { action: 'pipeline.delete', target: c.req.param('name') });
    return answer(c, 'DELETE /api/pipelines/:name', { deleted: c.req.param('name') });
  });

  return app;
}

export function triggersOf(pipeline: Pipeline): Triggers {
  return {
    schedule: pipeline.schedule ?? null,
    schedule_enabled: pipeline.schedule?.enabled ?? false,
    api_enabled: pipeline.apiEnabled,
    on_file: pipeline.onFile ?? null,
    on_stream: pipeline.onStream ?? null,
  };
}

/** A pipeline as the editor draws it; block files relative to the project. */
export function describePipeline(root: string, pipeline: Pipeline): PipelineDetail {
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

function describeBlock(root: string, block: Block): BlockSpec {
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
      return {
        ...base,
        language: 'clean',
        settings: Object.fromEntries(block.columns.map((c) => [c.column, { tool: c.tool, ...c.settings }])),
        ...(block.part === 'review' ? { part: block.part, declaredName: block.declaredName ?? block.name } : {}),
      };
    case 'prepare':
      return { ...base, language: 'prepare', part: block.part, declaredName: block.declaredName, settings: block.settings };
    case 'dedupe':
      return { ...base, language: 'dedupe', part: block.part, declaredName: block.declaredName, settings: block.settings };
    case 'stream_lag':
      return { ...base, language: 'stream_lag', settings: { pipeline: block.stream, below: block.below, max_age_ms: block.maxAge } };
    case 'examples':
      return { ...base, language: 'examples', part: block.part, declaredName: block.declaredName, settings: block.settings };
  }
}
