import { Hono } from 'hono';
import { z } from 'zod';
import { triggerKinds, type TriggerKind } from '../../core/run/run-triggers.ts';
import { runStatuses } from '../../core/run-store/run-store.ts';
import { loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import type { AppDependencies } from '../app-context.ts';
import { dashboard, type Dashboard } from '../dashboard.ts';
import { parseQuery } from '../http-problem.ts';
import { pipelineCharts } from '../pipeline-charts.ts';
import { listRunPage, type RunListPage } from '../run-list.ts';
import { runningNow, type RunningNow } from '../running-now.ts';
import { relativeError } from './run-routes.ts';
import { maskRunErrors, runTextMask } from '../pii/masked-run-text.ts';
import { answer } from '../route-answer.ts';

const page = (max: number, fallback: number) => z.coerce.number().int().min(1, `limit is a whole number from 1 to ${max}`).max(max, `limit is a whole number from 1 to ${max}`).default(fallback);
const instant = (what: string) => z.string().refine((v) => !Number.isNaN(Date.parse(v)), `${what} is a date or an ISO time`).optional();
const listQuery = z.object({
  pipeline: z.string().min(1).optional(),
  status: z.enum(runStatuses).optional(),
  trigger: z.enum(triggerKinds).optional(),
  backfill: z.string().min(1).optional(),
  since: instant('since'),
  until: instant('until'),
  offset: z.coerce.number().int().min(0, 'offset is a whole number, 0 or more').default(0),
  limit: page(500, 50),
});
const chartQuery = z.object({ runs: page(200, 30) });
export type RunListQuery = typeof listQuery;
export type ChartQuery = typeof chartQuery;

/** `GET /api/run-list`: a page of the runs list, and every kind of trigger to filter by. */
export type RunListAnswer = RunListPage & { readonly triggerKinds: readonly TriggerKind[] };

/** The views across runs: the runs list, the dashboard, what runs now, and a pipeline's charts. */
export function overviewRoutes(deps: AppDependencies): Hono {
  const app = new Hono();
  const relative = (error: Parameters<typeof relativeError>[1]) => relativeError(deps.root, error);

  app.get('/run-list', async (c) => {
    const q = parseQuery(listQuery, c.req.query());
    const list = await listRunPage(deps.store, {
      ...(q.pipeline ? { pipeline: q.pipeline } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.trigger ? { triggerKind: q.trigger } : {}),
      ...(q.backfill ? { backfillId: q.backfill } : {}),
      ...(q.since ? { since: new Date(q.since).toISOString() } : {}),
      ...(q.until ? { until: new Date(q.until).toISOString() } : {}),
      offset: q.offset,
      limit: q.limit,
    });
    return answer(c, 'GET /api/run-list', { ...list, runs: await maskRunErrors(c, deps.store, list.runs), triggerKinds } satisfies RunListAnswer);
  });

  app.get('/dashboard', async (c) => {
    const board = await dashboard(deps.root, deps.store, new Date(), relative);
    const failed = await Promise.all(
      board.failed.map(async (f) => {
        const text = await runTextMask(c, deps.store, f.run);
        return { ...f, run: text.run(f.run), blocks: f.blocks.map((b) => text.blockRun(b)) };
      }),
    );
    return answer(c, 'GET /api/dashboard', { ...board, failed } satisfies Dashboard);
  });

  app.get('/running-now', async (c) => answer(c, 'GET /api/running-now', { ...(await runningNow(deps.store)), now: new Date().toISOString() } satisfies RunningNow));

  app.get('/pipelines/:name/charts', async (c) => {
    const pipeline = loadPipeline(deps.root, c.req.param('name'));
    const q = parseQuery(chartQuery, c.req.query());
    return answer(c, 'GET /api/pipelines/:name/charts', await pipelineCharts(deps.store, pipeline.name, q.runs));
  });

  return app;
}
