import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { roleAtLeast, type Role } from '../core/run-store/user-store.ts';
import { problem } from './http-problem.ts';

/**
 * Who may call each route: `public` needs no sign-in; a role means that role
 * or a higher one (viewer < operator < editor < admin). A viewer reads
 * pipelines, runs, logs and outputs; an operator also runs, retries,
 * cancels, backfills and toggles triggers; an editor also edits files,
 * connections and git; an admin also manages users, settings and reads the
 * audit log. A route the table does not name is refused to everyone, and
 * `route-roles.test.ts` fails until it is named here.
 */
export const routeRoles = {
  'GET /api/health': 'public',
  'GET /api/session': 'public',
  'POST /api/session': 'public',
  'DELETE /api/session': 'public',
  'GET /api/auth/oidc/start': 'public',
  'GET /api/auth/oidc/callback': 'public',

  'GET /api/pipelines': 'viewer',
  'GET /api/pipelines/:name': 'viewer',
  'GET /api/block-templates': 'viewer',
  'GET /api/connectors': 'viewer',
  'GET /api/clean-tools': 'viewer',
  'GET /api/no-code-blocks': 'viewer',
  'GET /api/pipelines/:name/triggers': 'viewer',
  'GET /api/runs': 'viewer',
  'GET /api/runs/:id': 'viewer',
  'GET /api/runs/:id/context': 'viewer',
  'GET /api/runs/:id/logs': 'viewer',
  'GET /api/runs/:id/logs/download': 'viewer',
  'GET /api/runs/:id/blocks/:block/output': 'viewer',
  'GET /api/runs/:id/blocks/:block/download': 'viewer',
  'GET /api/runs/:id/blocks/:block/stats': 'viewer',
  'GET /api/runs/:id/checks': 'viewer',
  'GET /api/runs/:id/drift': 'viewer',
  'GET /api/pipelines/:name/drift': 'viewer',
  'GET /api/pipelines/:name/blocks/:block/checks/:check/history': 'viewer',
  'GET /api/runs/:id/blocks/:block/profile': 'viewer',
  'GET /api/runs/:id/events': 'viewer',
  'GET /api/files': 'viewer',
  'GET /api/files/list': 'viewer',
  'GET /api/connections': 'viewer',
  'GET /api/git/status': 'viewer',
  'GET /api/git/diff': 'viewer',
  'GET /api/git/log': 'viewer',
  'GET /api/git/commits/:id': 'viewer',
  'GET /api/alerts': 'viewer',
  'GET /api/dictionaries': 'viewer',
  'GET /api/dictionaries/:name': 'viewer',
  'GET /api/run-list': 'viewer',
  'GET /api/dashboard': 'viewer',
  'GET /api/running-now': 'viewer',
  'GET /api/pipelines/:name/charts': 'viewer',
  'GET /api/search': 'viewer',
  'GET /api/lineage': 'viewer',
  'GET /api/docs-site': 'viewer',
  'GET /api/docs-site/:file': 'viewer',
  'GET /api/pipelines/:name/blocks/:block/metrics': 'viewer',
  'GET /api/runs/:id/anomalies': 'viewer',
  'GET /api/map/sources': 'viewer',
  'GET /api/workers': 'viewer',
  'GET /api/streams': 'viewer',
  'GET /api/streams/:name/metrics': 'viewer',
  'GET /api/streams/:name/dead-letters': 'viewer',
  'GET /metrics': 'viewer',

  'POST /api/pipelines/:name/runs': 'operator',
  'POST /api/pipelines/:name/backfills': 'operator',
  'POST /api/runs/:id/retry': 'operator',
  'POST /api/runs/:id/cancel': 'operator',
  'PUT /api/pipelines/:name/triggers': 'operator',
  'POST /api/pipelines/:name/triggers/preview': 'operator',
  'POST /api/runs/:id/blocks/:block/metrics/:metric/expected': 'operator',
  'POST /api/connections/:name/test': 'operator',
  'POST /api/workers/:id/drain': 'operator',
  'POST /api/streams/:name/dead-letters/replay': 'operator',
  'POST /api/streams/:name/dead-letters/drop': 'operator',
  // Records into a streaming pipeline: data, not the project. An operator's key (a producer's) may send them; a viewer only reads.
  'POST /api/ingest/:pipeline': 'operator',

  'POST /api/pipelines': 'editor',
  'DELETE /api/pipelines/:name': 'editor',
  'POST /api/pipelines/:name/blocks': 'editor',
  'PATCH /api/pipelines/:name/blocks/:block': 'editor',
  'DELETE /api/pipelines/:name/blocks/:block': 'editor',
  'PUT /api/pipelines/:name/blocks/:block/clean': 'editor',
  'PUT /api/pipelines/:name/blocks/:block/dedupe': 'editor',
  'PUT /api/pipelines/:name/blocks/:block/prepare': 'editor',
  'PUT /api/pipelines/:name/blocks/:block/examples': 'editor',
  'POST /api/pipelines/:name/blocks/:block/pair-decisions': 'editor',
  'PUT /api/files': 'editor',
  'POST /api/connections/test': 'editor',
  'POST /api/connections': 'editor',
  'PUT /api/connections/:name': 'editor',
  'DELETE /api/connections/:name': 'editor',
  'POST /api/git/commit': 'editor',
  'POST /api/git/discard': 'editor',
  'POST /api/git/branches': 'editor',
  'POST /api/alerts/pipelines/:name': 'editor',
  'PATCH /api/alerts/pipelines/:name/:index': 'editor',
  'DELETE /api/alerts/pipelines/:name/:index': 'editor',
  'POST /api/alerts/pipelines/:name/:index/test': 'editor',
  'POST /api/dictionaries/:name/decisions': 'editor',
  'POST /api/map/suggest': 'editor',
  'POST /api/map/blocks': 'editor',

  // Project-wide alerts live in sluice.yaml's settings.
  'POST /api/alerts/project': 'admin',
  'PATCH /api/alerts/project/:index': 'admin',
  'DELETE /api/alerts/project/:index': 'admin',
  'POST /api/alerts/project/:index/test': 'admin',
  'GET /api/audit': 'admin',
  'GET /api/users': 'admin',
  'POST /api/users': 'admin',
  'PATCH /api/users/:name': 'admin',
  'DELETE /api/users/:name': 'admin',
  'POST /api/users/:name/key': 'admin',
  'DELETE /api/users/:name/key': 'admin',
} as const satisfies Record<string, Role | 'public'>;

export type RouteKey = keyof typeof routeRoles;

/**
 * The route Hono answers the request with: the first matched route that is
 * not middleware (`use` registers `ALL` routes, and the catch-alls are `*`).
 */
function answeringRoute(routes: readonly { method: string; path: string }[]): string | undefined {
  const route = routes.find((r) => r.method !== 'ALL' && !r.path.includes('*'));
  return route && `${route.method} ${route.path}`;
}

/**
 * Refuses a signed-in caller whose role is below what the route needs
 * (`auth.forbidden`, 403). Runs after the sign-in check, which sets the
 * principal. A request no route answers falls through to the 404.
 */
export function requireRole(): MiddlewareHandler {
  return async (c, next) => {
    const route = answeringRoute(matchedRoutes(c));
    if (route === undefined) return next();
    const needed = (routeRoles as Record<string, Role | 'public'>)[route];
    if (needed === 'public') return next();
    const principal = c.get('principal');
    if (!needed) return problem(c, 403, 'auth.forbidden', `${route} has no role in the route table, so no one may call it`);
    if (!principal || !roleAtLeast(principal.role, needed)) {
      return problem(c, 403, 'auth.forbidden', `${route} needs the ${needed} role; ${principal?.user ?? 'this caller'} is ${principal?.role ?? 'not signed in'}`);
    }
    return next();
  };
}
