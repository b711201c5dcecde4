import { Hono, type MiddlewareHandler } from 'hono';
import { tokenMatches } from '../api-token.ts';
import { requireAuth, type AuthVariables } from '../session-auth.ts';
import { requireRole } from '../route-roles.ts';
import type { UserAuth } from '../users/user-auth.ts';
import { collectMetrics, type MetricsDependencies } from './collect-metrics.ts';
import { formatPrometheusText, prometheusContentType } from './prometheus-text.ts';

export interface MetricsAccess {
  /** `/metrics` takes what the API takes: an API key or a session (a viewer's will do). */
  readonly auth: UserAuth;
  /** A token for scrapers only (sluice.yaml `metrics.token`), so a scraper never holds the API's. */
  readonly metricsToken?: string | undefined;
}

function metricsAuth(access: MetricsAccess): MiddlewareHandler<{ Variables: AuthVariables }> {
  const apiAuth = requireAuth(access.auth);
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (access.metricsToken && header?.startsWith('Bearer ') && tokenMatches(header.slice(7), access.metricsToken)) {
      c.set('auth', 'token');
      c.set('principal', { kind: 'token', role: 'viewer', actor: 'metrics' });
      return next();
    }
    return apiAuth(c, next);
  };
}

/** `GET /metrics`: the Prometheus text format, behind the API's auth or the metrics token. */
export function metricsRoutes(deps: MetricsDependencies, access: MetricsAccess): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.use('/metrics', metricsAuth(access));
  app.use('/metrics', requireRole());
  app.get('/metrics', async (c) => c.body(formatPrometheusText(await collectMetrics(deps)), 200, { 'content-type': prometheusContentType }));
  return app;
}
