import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppDependencies } from './app-context.ts';
import { errorResponse, problem } from './http-problem.ts';
import { blockRoutes } from './routes/block-routes.ts';
import { cleanBlockRoutes } from './routes/clean-block-routes.ts';
import { noCodeBlockRoutes } from './routes/no-code-block-routes.ts';
import { cleanTools } from '../toolkit/clean-tools.ts';
import { connectionRoutes } from './routes/connection-routes.ts';
import { fileRoutes } from './routes/file-routes.ts';
import { gitRoutes } from './routes/git-routes.ts';
import { auditRoutes } from './routes/audit-routes.ts';
import { auditTrail } from './audit/audit-trail.ts';
import { projectFileChanges } from './audit/project-file-changes.ts';
import { alertRoutes } from './routes/alert-routes.ts';
import { dictionaryRoutes } from './routes/dictionary-routes.ts';
import { overviewRoutes } from './routes/overview-routes.ts';
import { metricRoutes } from './routes/metric-routes.ts';
import { lookRoutes } from './routes/look-routes.ts';
import { metricsRoutes } from './metrics/metrics-route.ts';
import { lineageRoutes } from './routes/lineage-routes.ts';
import { mapRoutes } from './routes/map-routes.ts';
import { pipelineRoutes } from './routes/pipeline-routes.ts';
import { runEventRoutes } from './routes/run-events.ts';
import { runRoutes } from './routes/run-routes.ts';
import { qualityRoutes } from './routes/quality-routes.ts';
import { triggerRoutes } from './routes/trigger-routes.ts';
import { workerRoutes } from './routes/worker-routes.ts';
import { streamRoutes } from './routes/stream-routes.ts';
import { securityHeaders } from './security-headers.ts';
import { requireAuth, sessionRoutes, type AuthVariables } from './session-auth.ts';
import { requireRole } from './route-roles.ts';
import { userRoutes } from './routes/user-routes.ts';
import { docsSiteRoutes } from './routes/docs-site-routes.ts';
import { ingestRoutes } from './routes/ingest-routes.ts';
import { UserAuth } from './users/user-auth.ts';
import { OidcClient } from './users/oidc-client.ts';
import { oidcRoutes } from './users/oidc-routes.ts';
import { serveStaticUi } from './static-ui.ts';
import { PiiMarks } from './pii/pii-marks.ts';
import { valueMasking } from './pii/value-masking.ts';
import { answer } from './route-answer.ts';

export type { AppDependencies, RunPlan } from './app-context.ts';

/**
 * The web UI and its JSON API (docs/api.md). Every /api route but health and
 * sign-in needs an API key or a session, and the role route-roles.ts names; every error is JSON naming what is
 * wrong: `{ "error": { "code", "message" } }`.
 */
export function createApp(deps: AppDependencies): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();
  const auth = new UserAuth(deps.store, deps.token, deps.sessionLimits);

  app.use('*', securityHeaders());
  if (deps.secureCookies) {
    app.use('*', async (c, next) => {
      c.set('secureCookies', true);
      return next();
    });
  }
  // Files are at most 2 MB; anything much larger is refused before it is read.
  // Ingest bodies are capped by their pipeline's max_body instead, in the route.
  const apiBodyLimit = bodyLimit({ maxSize: 4 * 1024 * 1024, onError: (c) => problem(c, 413, 'api.body_too_large', 'the request body is larger than 4 MB') });
  app.use('/api/*', (c, next) => (c.req.path.startsWith('/api/ingest/') ? next() : apiBodyLimit(c, next)));
  app.get('/api/health', (c) => answer(c, 'GET /api/health', { ok: true }));
  const oidc = deps.oidc ? new OidcClient(deps.oidc) : undefined;
  app.route('/api', sessionRoutes(auth, deps.store.audit, oidc?.options.provider));
  app.route('/api', oidcRoutes(auth, deps.store.audit, oidc));
  app.use('/api/*', requireAuth(auth));
  // Every route's role is in route-roles.ts; a route it does not name is refused.
  app.use('/api/*', requireRole());
  app.use('/api/*', auditTrail(deps.store.audit));
  app.use('/api/*', projectFileChanges(deps.root));
  // Personal-data values are masked for roles below editor wherever a route answers with stored values.
  app.use('/api/*', valueMasking(new PiiMarks(deps)));
  app.route('/api', pipelineRoutes(deps));
  app.route('/api', blockRoutes(deps));
  app.route('/api', cleanBlockRoutes(deps, cleanTools));
  app.route('/api', noCodeBlockRoutes(deps));
  app.route('/api', triggerRoutes(deps));
  app.route('/api', runRoutes(deps));
  app.route('/api', qualityRoutes(deps));
  app.route('/api', runEventRoutes(deps));
  app.route('/api', fileRoutes(deps));
  app.route('/api', connectionRoutes(deps));
  app.route('/api', gitRoutes(deps));
  app.route('/api', alertRoutes(deps));
  app.route('/api', dictionaryRoutes(deps));
  app.route('/api', overviewRoutes(deps));
  app.route('/api', lookRoutes(deps));
  app.route('/api', lineageRoutes(deps));
  app.route('/api', metricRoutes(deps));
  app.route('/api', mapRoutes(deps));
  app.route('/api', workerRoutes(deps));
  app.route('/api', streamRoutes(deps));
  app.route('/api', auditRoutes(deps));
  app.route('/api', userRoutes(deps));
  app.route('/api', docsSiteRoutes(deps));
  app.route('/api', ingestRoutes(deps));
  // Nothing under /api ever falls through to the UI's HTML.
  app.all('/api', (c) => problem(c, 404, 'api.not_found', `no route ${c.req.method} ${c.req.path}`));
  app.all('/api/*', (c) => problem(c, 404, 'api.not_found', `no route ${c.req.method} ${c.req.path}`));

  app.route('/', metricsRoutes({ root: deps.root, store: deps.store, runMetrics: deps.metrics?.runMetrics }, { auth, metricsToken: deps.metrics?.token }));

  const ui = deps.webDist ? serveStaticUi(deps.webDist) : undefined;
  app.get('*', (c) => (ui ? ui(c) : c.html('<!doctype html><title>Sluice</title><p>The web UI is not built. Run <code>npm run build:web</code>.</p>')));

  app.notFound((c) => problem(c, 404, 'api.not_found', `no route ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => errorResponse(c, error));
  return app;
}
