import type { Hono } from 'hono';

/**
 * Every route an app answers, as `METHOD /path` the way route-roles.ts and
 * api-routes.ts key them: middleware (`use` registers `ALL`) and the
 * catch-alls (`ALL /api/*`, the UI's `GET *`) are no routes.
 */
export function registeredRoutes(app: Pick<Hono, 'routes'>): string[] {
  return [...new Set(app.routes.filter((route) => route.method !== 'ALL' && !route.path.includes('*')).map((route) => `${route.method} ${route.path}`))].sort();
}
