import { Hono } from 'hono';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.ts';
import { profileOutput, type OutputProfile } from '../../core/quality/profile-output.ts';
import { maskDriftSamples, maskSamples } from '../pii/masked-samples.ts';
// Declares the request's `maskFor`, for every program that types these routes (the web UI's too).
import '../pii/value-masking.ts';
import type { AppDependencies } from '../app-context.ts';
import { parseQuery } from '../http-problem.ts';
import type { AuthVariables } from '../session-auth.ts';
import { answer } from '../route-answer.ts';

const historyQuery = z.object({ limit: z.coerce.number().int().min(1, 'limit is a whole number from 1 to 500').max(500, 'limit is a whole number from 1 to 500').default(50) });
export type QualityHistoryQuery = typeof historyQuery;

/** What the checks of a run found, one check's history across runs, the drift of a run or pipeline, and the profile of a stored output. */
export function qualityRoutes(deps: AppDependencies): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();
  const { store, outputs } = deps;

  app.get('/runs/:id/checks', async (c) => {
    const id = c.req.param('id');
    if (!(await store.getRun(id))) throw new ConfigError('run.not_found', `no run '${id}'`);
    return answer(c, 'GET /api/runs/:id/checks', { checks: await maskSamples(c, await store.listCheckResults(id)) });
  });

  app.get('/runs/:id/drift', async (c) => {
    const id = c.req.param('id');
    if (!(await store.getRun(id))) throw new ConfigError('run.not_found', `no run '${id}'`);
    return answer(c, 'GET /api/runs/:id/drift', { drift: await maskDriftSamples(c, await store.listDriftEvents({ runId: id, limit: 500 })) });
  });

  app.get('/pipelines/:name/drift', async (c) => {
    const { limit } = parseQuery(historyQuery, c.req.query());
    return answer(c, 'GET /api/pipelines/:name/drift', { drift: await maskDriftSamples(c, await store.listDriftEvents({ pipeline: c.req.param('name'), limit })) });
  });

  app.get('/pipelines/:name/blocks/:block/checks/:check/history', async (c) => {
    const { limit } = parseQuery(historyQuery, c.req.query());
    return answer(c, 'GET /api/pipelines/:name/blocks/:block/checks/:check/history', { history: await maskSamples(c, await store.checkHistory(c.req.param('name'), c.req.param('block'), c.req.param('check'), limit)) });
  });

  // Kept when the output was stored; an output kept with its file's statistics only, or from before profiles, is profiled on first look, and kept then.
  app.get('/runs/:id/blocks/:block/profile', async (c) => {
    const [runId, block] = [c.req.param('id'), c.req.param('block')];
    const run = await store.getRun(runId);
    if (!run) throw new ConfigError('run.not_found', `no run '${runId}'`);
    const reply = async (profile: OutputProfile) => {
      const mask = await c.get('maskFor')(run.pipeline, block, profile.columns.map((col) => col.name));
      return answer(c, 'GET /api/runs/:id/blocks/:block/profile', { profile: mask.profile(profile), masked: mask.among(profile.columns.map((col) => col.name)) });
    };
    const kept = await store.getProfile(runId, block);
    if (kept && !kept.profile.partial) return reply(kept.profile);
    const record = (await store.listBlockRuns(runId)).find((b) => b.block === block);
    if (!record?.output || !(await outputs.exists(record.output))) {
      if (kept) return reply(kept.profile);
      throw new ConfigError('run.no_output', `block '${block}' of run '${runId}' has no stored output`);
    }
    const output = { location: await outputs.read(record.output), rows: record.rowsOut ?? 0, columns: record.columns ?? [] };
    const profiled = await deps.withSession((session) => profileOutput(session, output)).finally(() => outputs.release(output.location));
    const profile = { ...profiled, deferred: true };
    await store.putProfile({ runId, block, profile });
    return reply(profile);
  });

  return app;
}
