import { Hono } from 'hono';
import { z } from 'zod';
import type { AppDependencies } from '../app-context.ts';
import { parseQuery } from '../http-problem.ts';
import { listProjectFolder } from '../project-folder.ts';
import { createProjectSearch } from '../project-search.ts';
import { answer } from '../route-answer.ts';

const searchQuery = z.object({
  q: z.string().max(200).default(''),
  limit: z.coerce.number().int().min(1, 'limit is a whole number from 1 to 50').max(50, 'limit is a whole number from 1 to 50').default(20),
});
const folderQuery = z.object({ path: z.string().max(1000).default('') });
export type SearchQuery = typeof searchQuery;
export type FolderQuery = typeof folderQuery;

/** The command palette's search and the file picker's folder listing. */
export function lookRoutes(deps: AppDependencies): Hono {
  const app = new Hono();
  // One reading of the project serves a burst of keystrokes; a second later the next one sees new runs.
  const search = createProjectSearch({ root: deps.root, stateDir: deps.stateDir, store: deps.store, runsScanned: 500, maxAgeMs: 1000 });

  app.get('/search', async (c) => {
    const { q, limit } = parseQuery(searchQuery, c.req.query());
    return answer(c, 'GET /api/search', { results: await search(q, limit) });
  });

  app.get('/files/list', (c) => answer(c, 'GET /api/files/list', listProjectFolder(deps.root, parseQuery(folderQuery, c.req.query()).path)));

  return app;
}
