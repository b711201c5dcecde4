import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { alertEventKinds } from '../../core/pipeline/alert-schema.ts';
import { listPipelines } from '../../core/pipeline/load-pipeline.ts';
import type { AlertScope } from '../../workspace/alerts-file.ts';
import { pipelineFileOf } from '../../workspace/edit-pipeline.ts';
import { addAlertChannel, alertChannelInput, listAlertChannels, type AlertChannelView, removeAlertChannel, sendTestAlert, setAlertEvents } from '../alert-channels.ts';
import type { AppDependencies } from '../app-context.ts';
import { noteAudit } from '../audit/audit-trail.ts';
import { parseBody } from '../http-problem.ts';
import { answer } from '../route-answer.ts';

const eventsBody = z.object({ on: z.array(z.enum(alertEventKinds)).min(1) }).strict();

/** What `PATCH /api/alerts/.../:index` takes: the events the channel is told about. */
export type AlertEventsRequest = z.input<typeof eventsBody>;

/** `GET /api/alerts`: the project's channels and each pipeline's (with why a pipeline's cannot be read). */
export interface AlertsOverview {
  readonly project: readonly AlertChannelView[];
  readonly pipelines: readonly { readonly name: string; readonly channels: readonly AlertChannelView[]; readonly error?: string }[];
}

/**
 * Alert channels of the project (sluice.yaml) and of each pipeline (its file):
 * `/alerts/project/...` and `/alerts/pipelines/NAME/...`. Files are the truth;
 * secret values are write-only.
 */
export function alertRoutes(deps: AppDependencies): Hono {
  const app = new Hono();

  app.get('/alerts', (c) =>
    answer(c, 'GET /api/alerts', {
      project: listAlertChannels(deps.root, deps.stateDir, { kind: 'project' }),
      pipelines: listPipelines(deps.root).map((name) => {
        try {
          return { name, channels: listAlertChannels(deps.root, deps.stateDir, { kind: 'pipeline', name }) };
        } catch (error) {
          return { name, channels: [], error: (error as Error).message };
        }
      }),
    } satisfies AlertsOverview),
  );

  for (const [prefix, scopeOf] of [
    ['/alerts/project', () => ({ kind: 'project' })],
    ['/alerts/pipelines/:name', (c: Context) => scopeForPipeline(deps.root, c.req.param('name')!)],
  ] as const) {
    const scope = scopeOf as (c: Context) => AlertScope;
    app.post(prefix, async (c) => {
      const body = await parseBody(c, alertChannelInput);
      const where = scope(c);
      addAlertChannel(deps.root, deps.stateDir, where, body);
      // The channel's kind and events; its address may be a secret, kept out of the files and of this entry.
      noteAudit(c, { action: 'alert.add', target: alertTarget(where), detail: { kind: body.kind, on: body.on } });
      return answer(c, `POST /api${prefix}` as const, { channels: listAlertChannels(deps.root, deps.stateDir, where) }, 201);
    });
    app.patch(`${prefix}/:index`, async (c) => {
      const body = await parseBody(c, eventsBody);
      const where = scope(c);
      setAlertEvents(deps.root, where, indexOf(c), body.on);
      noteAudit(c, { action: 'alert.update', target: alertTarget(where), detail: { index: indexOf(c), on: body.on } });
      return answer(c, `PATCH /api${prefix}/:index` as const, { channels: listAlertChannels(deps.root, deps.stateDir, where) });
    });
    app.delete(`${prefix}/:index`, (c) => {
      const where = scope(c);
      removeAlertChannel(deps.root, deps.stateDir, where, indexOf(c));
      noteAudit(c, { action: 'alert.remove', target: alertTarget(where), detail: { index: indexOf(c) } });
      return answer(c, `DELETE /api${prefix}/:index` as const, { channels: listAlertChannels(deps.root, deps.stateDir, where) });
    });
    // A failed send is a normal answer (ok: false with the reason), not a server error.
    app.post(`${prefix}/:index/test`, async (c) => {
      const where = scope(c);
      const result = await sendTestAlert(deps.root, where, indexOf(c));
      noteAudit(c, { action: 'alert.test', target: alertTarget(where), detail: { index: indexOf(c), ok: result.ok } });
      return answer(c, `POST /api${prefix}/:index/test` as const, result);
    });
  }

  return app;
}

/** An alert scope as an audit target: `project`, or the pipeline's name. */
function alertTarget(scope: AlertScope): string {
  return scope.kind === 'project' ? 'project' : scope.name;
}

function scopeForPipeline(root: string, name: string): AlertScope {
  pipelineFileOf(root, name);
  return { kind: 'pipeline', name };
}

function indexOf(c: Context): number {
  const index = Number(c.req.param('index'));
  return Number.isInteger(index) && index >= 0 ? index : -1;
}
