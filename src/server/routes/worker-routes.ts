import { Hono } from 'hono';
import type { AppDependencies } from '../app-context.ts';

/**
 * `GET /api/workers`: the workers taking queued block runs (host, pid,
 * checkout, slots, what each runs, last heartbeat) and the queue's depth and
 * oldest wait, as `sluice workers --json` shows them. Without a `queue:` in
 * sluice.yaml, block runs run in the server's process: `queue` is null.
 */
export function workerRoutes(deps: AppDependencies): Hono {
  const app = new Hono();
  app.get('/workers', async (c) => {
    if (!deps.fleet) return c.json({ configured: false, workers: [], queue: null });
    return c.json({ configured: true, ...(await deps.fleet()) });
  });
  return app;
}
