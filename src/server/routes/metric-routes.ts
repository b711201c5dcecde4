import { Hono } from 'hono';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.ts';
import { loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import type { AppDependencies } from '../app-context.ts';
import { parseQuery } from '../http-problem.ts';
import { metricHistory, toView } from '../metric-history.ts';
import { answer } from '../route-answer.ts';

const historyQuery = z.object({ limit: z.coerce.number().int().min(1, 'limit is a whole number from 1 to 365').max(365, 'limit is a whole number from 1 to 365').default(60) });
export type MetricHistoryQuery = typeof historyQuery;

/** A block's metric history with its anomalies, a run's anomalies, and marking a flagged value as expected. */
export function metricRoutes(deps: AppDependencies): Hono {
  const app = new Hono();

  app.get('/pipelines/:name/blocks/:block/metrics', async (c) => {
    const pipeline = loadPipeline(deps.root, c.req.param('name'));
    const block = c.req.param('block');
    if (!pipeline.blocks.some((b) => b.name === block)) {
      throw new ConfigError('block.not_found', `pipeline '${pipeline.name}' has no block '${block}'`);
    }
    const q = parseQuery(historyQuery, c.req.query());
    return answer(c, 'GET /api/pipelines/:name/blocks/:block/metrics', await metricHistory(deps.store, pipeline.name, block, q.limit));
  });

  app.get('/runs/:id/anomalies', async (c) => {
    const id = c.req.param('id');
    if (!(await deps.store.getRun(id))) throw new ConfigError('run.not_found', `no run '${id}'`);
    const flagged = (await deps.store.listRunMetricPoints(id)).filter((p) => p.verdict?.anomaly);
    return answer(c, 'GET /api/runs/:id/anomalies', { anomalies: flagged.map((p) => ({ block: p.block, metric: p.metric, ...toView(p) })) });
  });

  app.post('/runs/:id/blocks/:block/metrics/:metric/expected', async (c) => {
    const { id, block, metric } = c.req.param();
    const marked = await deps.store.markMetricExpected(id, block, metric);
    if (!marked) throw new ConfigError('metrics.unknown_value', `run ${id} recorded no metric '${metric}' for block '${block}'`);
    return answer(c, 'POST /api/runs/:id/blocks/:block/metrics/:metric/expected', toView(marked));
  });

  return app;
}
