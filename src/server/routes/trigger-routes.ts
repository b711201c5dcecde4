import { Hono } from 'hono';
import { z } from 'zod';
import { loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import { fileTriggerSchema } from '../../core/pipeline/file-trigger.ts';
import { scheduleSchema, type Schedule } from '../../core/pipeline/schedule.ts';
import { nextRunTimes } from '../../scheduler/next-run-times.ts';
import { previewCatchup } from '../../scheduler/preview-catchup.ts';
import { ConfigError } from '../../core/errors.ts';
import { editPipeline } from '../../workspace/edit-pipeline.ts';
import { setTriggers } from '../../workspace/pipeline-document.ts';
import type { AppDependencies } from '../app-context.ts';
import { noteAudit } from '../audit/audit-trail.ts';
import { parseBody } from '../http-problem.ts';
import { triggersOf } from './pipeline-routes.ts';
import { answer } from '../route-answer.ts';

const triggersBody = z
  .object({
    schedule: z.record(z.string(), z.unknown()).nullable().optional(),
    schedule_enabled: z.boolean().optional(),
    api_enabled: z.boolean().optional(),
    on_file: fileTriggerSchema.nullable().optional(),
  })
  .strict();

const previewBody = z.object({ schedule: z.record(z.string(), z.unknown()) }).strict();

/** What `PUT /api/pipelines/:name/triggers` and `.../triggers/preview` take. */
export type TriggersRequest = z.input<typeof triggersBody>;
export type SchedulePreviewRequest = z.input<typeof previewBody>;

/** `POST /api/pipelines/:name/triggers/preview`: the runs saving the schedule would start at once, and the next ones. */
export interface SchedulePreview {
  readonly catchup: Schedule['catchup'];
  readonly due: readonly { readonly logical_date: string; readonly start: string; readonly end: string }[];
  readonly start_from_next: string | null;
  readonly next_run: string | null;
  readonly next_runs: readonly string[];
}

/** A pipeline's schedule and API trigger, read from and written to its file. */
export function triggerRoutes(deps: AppDependencies): Hono {
  const app = new Hono();

  app.get('/pipelines/:name/triggers', (c) => answer(c, 'GET /api/pipelines/:name/triggers', triggersOf(loadPipeline(deps.root, c.req.param('name')))));

  app.put('/pipelines/:name/triggers', async (c) => {
    const body = await parseBody(c, triggersBody);
    if (body.schedule) checkSchedule(body.schedule);
    const pipeline = editPipeline(deps.root, c.req.param('name'), (doc) => {
      setTriggers(doc, { schedule: body.schedule, scheduleEnabled: body.schedule_enabled, apiEnabled: body.api_enabled, onFile: body.on_file });
    });
    noteAudit(c, { action: 'trigger.update', target: pipeline.name, detail: { ...body } });
    return answer(c, 'PUT /api/pipelines/:name/triggers', triggersOf(pipeline));
  });

  // What saving a schedule makes the scheduler run at once, so the UI can ask first, and when it runs next.
  app.post('/pipelines/:name/triggers/preview', async (c) => {
    const body = await parseBody(c, previewBody);
    const pipeline = loadPipeline(deps.root, c.req.param('name'));
    const schedule = checkSchedule(body.schedule);
    noteAudit(c, false);
    const [last] = await deps.store.listRuns({ pipeline: pipeline.name, trigger: 'schedule', limit: 1 });
    const now = new Date();
    const preview = previewCatchup(schedule, last?.logicalDate, now, 100);
    return answer(c, 'POST /api/pipelines/:name/triggers/preview', {
      catchup: schedule.catchup,
      due: preview.due.map((d) => ({ logical_date: d.logicalDate, start: d.interval.start.toISOString(), end: d.interval.end.toISOString() })),
      start_from_next: preview.startFromNext ?? null,
      next_run: preview.nextRun ?? null,
      // The scheduler's own tick rule, so the UI never disagrees with it.
      next_runs: nextRunTimes(schedule, now, 5).map((t) => t.toISOString()),
    } satisfies SchedulePreview);
  });

  return app;
}

/** Checked with the pipeline schema's own rules before anything is written. */
function checkSchedule(schedule: Record<string, unknown>): Schedule {
  const checked = scheduleSchema.safeParse(schedule);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new ConfigError('trigger.bad_schedule', `schedule.${issue.path.map(String).join('.') || 'schedule'}: ${issue.message}`);
  }
  return checked.data;
}
