import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Hono } from 'hono';
import { buildProjectDocsSite } from '../../core/docs-site/build-docs-site.ts';
import { loadProject } from '../../core/project/load-project.ts';
import type { AppDependencies } from '../app-context.ts';
import { problem } from '../http-problem.ts';

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/**
 * The documentation site `sluice docs build` writes, behind the API's sign-in
 * since it shows code and profiles: opening its index builds it afresh from
 * the project's files and run store into `.sluice/docs-site`, and its other
 * pages are read from there.
 */
export function docsSiteRoutes(deps: AppDependencies): Hono {
  const app = new Hono();
  const siteDir = () => path.join(loadProject(deps.root).stateDir, 'docs-site');

  // Relative links between pages need the trailing slash.
  app.get('/docs-site', (c) => c.redirect('/api/docs-site/index.html'));

  app.get('/docs-site/:file', async (c) => {
    const file = c.req.param('file');
    const type = contentTypes[path.extname(file)];
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(file) || !type) return problem(c, 404, 'docs.not_found', `no page '${file}'`);
    const dir = siteDir();
    if (file === 'index.html' || !existsSync(path.join(dir, 'index.html'))) {
      const project = loadProject(deps.root);
      await deps.withSession((session) => buildProjectDocsSite({ project, connectors: deps.connectors, session, store: deps.store }, dir));
    }
    const full = path.join(dir, file);
    if (!existsSync(full)) return problem(c, 404, 'docs.not_found', `no page '${file}'`);
    return c.body(readFileSync(full), 200, { 'content-type': type });
  });

  return app;
}
