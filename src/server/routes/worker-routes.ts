import { Hono } from 'hono';
import type { Fleet } from '../../executor/read-fleet.ts';
import type { AppDependencies } from '../app-context.ts';
import { noteAudit } from '../audit/audit-trail.ts';
import { problem } from '../http-problem.ts';
import type { AuthVariables } from '../session-auth.ts';
import { answer } from '../route-answer.ts';

/**
 * What `GET /api/workers` answers: with a `queue:` in sluice.yaml, the
 * workers (host, pid, checkout, slots, what each runs, last heartbeat,
 * draining) and the queue's depth and oldest wait; without one, block runs
 * run in the server's process and there is no fleet to show.
 */
export type WorkersView = ({ readonly configured: true } & Fleet) | { readonly configured: false; readonly workers: readonly []; readonly queue: null };

/** What `POST /api/workers/:id/drain` answers. */
export interface DrainAnswer {
  readonly worker: string;
  readonly drainRequested: true;
}

/**
 * `GET /api/workers`, as `sluice workers --json` shows them, and
 * `POST /api/workers/:id/drain`, as `sluice workers --drain ID`: the worker
 * takes nothing new from its next heartbeat, finishes what it holds, and
 * leaves the list.
 */
export function workerRoutes(deps: AppDependencies): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.get('/workers', async (c) => {
    if (!deps.fleet) return answer(c, 'GET /api/workers', { configured: false, workers: [], queue: null } satisfies WorkersView);
    return answer(c, 'GET /api/workers', { configured: true, ...(await deps.fleet.read()) } satisfies WorkersView);
  });
  app.post('/workers/:id/drain', async (c) => {
    const id = c.req.param('id');
    if (!deps.fleet) return problem(c, 409, 'workers.no_queue', 'sluice.yaml sets no queue:, so there are no workers to drain');
    if (!(await deps.fleet.drain(id))) return problem(c, 404, 'worker.not_found', `no worker '${id}' is listed; it may have stopped already`);
    noteAudit(c, { action: 'worker.drain', target: id });
    return answer(c, 'POST /api/workers/:id/drain', { worker: id, drainRequested: true } satisfies DrainAnswer, 202);
  });
  return app;
}
