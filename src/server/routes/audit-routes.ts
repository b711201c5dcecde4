import { Hono } from 'hono';
import { z } from 'zod';
import type { AppDependencies } from '../app-context.ts';
import { parseQuery } from '../http-problem.ts';
import { answer } from '../route-answer.ts';

const instant = (what: string) =>
  z
    .string()
    .refine((v) => !Number.isNaN(Date.parse(v)), `${what} is a date or an ISO time`)
    .transform((v) => new Date(v).toISOString())
    .optional();

const auditQuery = z.object({
  actor: z.string().min(1).optional(),
  action: z.string().min(1).optional(),
  target: z.string().min(1).optional(),
  since: instant('since'),
  until: instant('until'),
  limit: z.coerce.number().int().min(1, 'limit is a whole number from 1 to 1000').max(1000, 'limit is a whole number from 1 to 1000').default(100),
  cursor: z.coerce.number().int().min(1).optional(),
});
export type AuditQuery = typeof auditQuery;

/**
 * `GET /api/audit`: the audit log, newest first, filtered. Reading is the only
 * route: entries are written by the audit trail and never changed (a test
 * walks the routes to keep it so).
 */
export function auditRoutes(deps: AppDependencies): Hono {
  const app = new Hono();
  app.get('/audit', async (c) => {
    const page = await deps.store.audit.list(parseQuery(auditQuery, c.req.query()));
    return answer(c, 'GET /api/audit', { entries: page.entries, next: page.next ?? null });
  });
  return app;
}
