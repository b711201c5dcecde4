import { Hono } from 'hono';
import { z } from 'zod';
import { loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import { scheduleSchema } from '../../core/pipeline/schedule.ts';
import { ConfigError } from '../../core/errors.ts';
import { editPipeline } from '../../workspace/edit-pipeline.ts';
import { setTriggers } from '../../workspace/pipeline-document.ts';
import type { AppDependencies } from '../app-context.ts';
import { parseBody } from '../http-problem.ts';
import { triggersOf } from './pipeline-routes.ts';

const triggersBody = z
  .object({
    schedule: z.record(z.string(), z.unknown()).nullable().optional(),
    schedule_enabled: z.boolean().optional(),
    api_enabled: z.boolean().optional(),
  })
  .strict();

/** A pipeline's schedule and API trigger, read from and written to its file. */
export function triggerRoutes(deps: AppDependencies): Hono {
  const app = new Hono();

  app.get('/pipelines/:name/triggers', (c) => c.json(triggersOf(loadPipeline(deps.root, c.req.param('name')))));

  app.put('/pipelines/:name/triggers', async (c) => {
    const body = await parseBody(c, triggersBody);
    if (body.schedule) {
      // Checked with the pipeline schema's own rules before anything is written.
      const checked = scheduleSchema.safeParse(body.schedule);
      if (!checked.success) {
        const issue = checked.error.issues[0]!;
        throw new ConfigError('trigger.bad_schedule', `schedule.${issue.path.map(String).join('.') || 'schedule'}: ${issue.message}`);
      }
    }
    const pipeline = editPipeline(deps.root, c.req.param('name'), (doc) => {
      setTriggers(doc, { schedule: body.schedule, scheduleEnabled: body.schedule_enabled, apiEnabled: body.api_enabled });
    });
    return c.json(triggersOf(pipeline));
  });

  return app;
}
