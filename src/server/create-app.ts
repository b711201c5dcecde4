import { existsSync } from 'node:fs';
import { Hono, type Context } from 'hono';
import type { OutputPage } from '../core/data-plane/data-plane.ts';
import { z } from 'zod';
import { SluiceError, toSluiceError } from '../core/errors.ts';
import { listPipelines, loadPipeline } from '../core/pipeline/load-pipeline.ts';
import type { Pipeline } from '../core/pipeline/pipeline.ts';
import { mask } from '../core/project/secrets.ts';
import type { RunStatus, RunStore } from '../core/run-store/run-store.ts';
import { tokenMatches } from './api-token.ts';
import { triggerRun, type TriggeredRun } from './trigger-run.ts';
import { parseDateRange } from '../core/run/logical-date.ts';
import { enqueueBackfill, planBackfill } from '../scheduler/run-backfill.ts';

export interface AppDependencies {
  readonly root: string;
  readonly store: RunStore;
  readonly token: string;
  /** Starts a run the API created; the request does not wait for it. */
  readonly execute: (pipeline: Pipeline, triggered: TriggeredRun) => void;
  /** Reads one page of a stored block output. */
  readonly pageOutput: (location: string, offset: number, limit: number) => Promise<OutputPage>;
}

const triggerBody = z
  .object({
    variables: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    logical_date: z.string().optional(),
  })
  .strict();

const backfillBody = z
  .object({
    start: z.string(),
    end: z.string(),
    variables: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  })
  .strict();

const statuses = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;

/**
 * The JSON API. Every route but health needs `Authorization: Bearer TOKEN`;
 * every error is JSON naming what is wrong: `{ "error": { "code", "message" } }`.
 */
export function createApp(deps: AppDependencies): Hono {
  const app = new Hono();

  app.get('/api/health', (c) => c.json({ ok: true }));

  app.use('/api/*', async (c, next) => {
    const header = c.req.header('authorization');
    const given = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    if (!tokenMatches(given, deps.token)) {
      return c.json({ error: { code: 'auth.required', message: given ? 'the token is not valid' : 'send the API token as Authorization: Bearer TOKEN' } }, 401);
    }
    await next();
  });

  app.get('/api/pipelines', async (c) => {
    const pipelines = [];
    for (const name of listPipelines(deps.root)) {
      try {
        const pipeline = loadPipeline(deps.root, name);
        const [last] = await deps.store.listRuns({ pipeline: name, limit: 1 });
        pipelines.push({ name, description: pipeline.description ?? null, blocks: pipeline.blocks.length, schedule: pipeline.schedule ?? null, lastRun: last ?? null });
      } catch (error) {
        pipelines.push({ name, error: toSluiceError(error).toJSON() });
      }
    }
    return c.json({ pipelines });
  });

  app.post('/api/pipelines/:name/runs', async (c) => {
    const pipeline = loadPipeline(deps.root, c.req.param('name'));
    const body = triggerBody.safeParse(await c.req.json().catch(() => undefined) ?? {});
    if (!body.success) {
      const issue = body.error.issues[0]!;
      return problem(c, 400, 'api.bad_body', `${issue.path.join('.') || 'body'}: ${issue.message}`);
    }
    const triggered = await triggerRun(deps.store, pipeline, { variables: body.data.variables, logicalDate: body.data.logical_date, trigger: 'api' });
    if (triggered.created) deps.execute(pipeline, triggered);
    return c.json({ run_id: triggered.run.id, created: triggered.created, status: triggered.run.status, logical_date: triggered.run.logicalDate ?? null }, triggered.created ? 202 : 200);
  });

  app.post('/api/pipelines/:name/backfills', async (c) => {
    const pipeline = loadPipeline(deps.root, c.req.param('name'));
    const body = backfillBody.safeParse((await c.req.json().catch(() => undefined)) ?? {});
    if (!body.success) {
      const issue = body.error.issues[0]!;
      return problem(c, 400, 'api.bad_body', `${issue.path.join('.') || 'body'}: ${issue.message}`);
    }
    const range = parseDateRange(`${body.data.start}..${body.data.end}`);
    const runs = await enqueueBackfill(deps.store, pipeline, planBackfill(pipeline, range.first, range.last), body.data.variables);
    return c.json({ runs: runs.map((r) => ({ logical_date: r.logicalDate, run_id: r.run.id, created: r.created, status: r.run.status })) }, 202);
  });

  app.get('/api/runs', async (c) => {
    const status = c.req.query('status');
    if (status && !(statuses as readonly string[]).includes(status)) return problem(c, 400, 'api.bad_status', `status is one of ${statuses.join(', ')}`);
    const limit = Number(c.req.query('limit') ?? 50);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return problem(c, 400, 'api.bad_limit', 'limit is a whole number from 1 to 1000');
    const pipeline = c.req.query('pipeline');
    const runs = await deps.store.listRuns({ ...(pipeline ? { pipeline } : {}), ...(status ? { status: status as RunStatus } : {}), limit });
    return c.json({ runs });
  });

  app.get('/api/runs/:id', async (c) => {
    const run = await deps.store.getRun(c.req.param('id'));
    if (!run) return problem(c, 404, 'api.unknown_run', `no run '${c.req.param('id')}'`);
    return c.json({ run, blocks: await deps.store.listBlockRuns(run.id) });
  });

  app.get('/api/runs/:id/logs', async (c) => {
    const run = await deps.store.getRun(c.req.param('id'));
    if (!run) return problem(c, 404, 'api.unknown_run', `no run '${c.req.param('id')}'`);
    const block = c.req.query('block');
    return c.json({ logs: await deps.store.listLogs(run.id, block ? { block } : {}) });
  });

  // A page of a block's stored output: the browser never loads a whole table.
  app.get('/api/runs/:id/blocks/:block/output', async (c) => {
    const { id, block } = c.req.param();
    const record = (await deps.store.listBlockRuns(id)).find((b) => b.block === block);
    if (!record) return problem(c, 404, 'api.unknown_block_run', `run '${id}' has no block '${block}'`);
    if (!record.output || !existsSync(record.output)) return problem(c, 404, 'api.no_output', `block '${block}' of run '${id}' has no stored output`);
    const offset = Number(c.req.query('offset') ?? 0);
    const limit = Number(c.req.query('limit') ?? 100);
    if (!Number.isInteger(offset) || offset < 0) return problem(c, 400, 'api.bad_offset', 'offset is a whole number, 0 or more');
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) return problem(c, 400, 'api.bad_limit', 'limit is a whole number from 1 to 10000');
    const page = await deps.pageOutput(record.output, offset, limit);
    return c.json({ columns: page.columns, total: page.total, offset, limit, rows: page.rows.map(jsonRow) });
  });

  app.notFound((c) => problem(c, 404, 'api.not_found', `no route ${c.req.method} ${c.req.path}`));

  app.onError((error, c) => {
    const failure = toSluiceError(error);
    const status = failure.code === 'pipeline.not_found' ? 404 : failure instanceof SluiceError && failure.kind !== 'run' ? 400 : 500;
    return problem(c, status, failure.code, failure.describe());
  });

  return app;
}

/** Values JSON cannot carry as they are: big integers as text, dates as ISO text. */
function jsonRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    out[key] = typeof value === 'bigint' ? value.toString() : value instanceof Date ? value.toISOString() : value;
  }
  return out;
}

function problem(c: Context, status: 400 | 401 | 404 | 500, code: string, message: string): Response {
  return c.json({ error: { code, message: mask(message) } }, status);
}
