import { Hono } from 'hono';
import { z } from 'zod';
import { gitCommit, gitDiff, gitStatus, gitSwitch } from '../../workspace/git.ts';
import type { AppDependencies } from '../app-context.ts';
import { parseBody } from '../http-problem.ts';

/** The project's git repository: what changed, the diff, commit, and branches. */
export function gitRoutes(deps: AppDependencies): Hono {
  const app = new Hono();

  app.get('/git/status', async (c) => c.json(await gitStatus(deps.root)));

  app.get('/git/diff', async (c) => c.json({ diff: await gitDiff(deps.root, c.req.query('path') || undefined) }));

  app.post('/git/commit', async (c) => {
    const body = await parseBody(c, z.object({ message: z.string().min(1).max(10_000), paths: z.array(z.string()).max(1000).optional() }).strict());
    return c.json({ commit: await gitCommit(deps.root, body.message, body.paths) });
  });

  app.post('/git/branches', async (c) => {
    const body = await parseBody(c, z.object({ name: z.string().min(1).max(200), create: z.boolean().default(false) }).strict());
    await gitSwitch(deps.root, body.name, body.create);
    return c.json(await gitStatus(deps.root));
  });

  return app;
}
