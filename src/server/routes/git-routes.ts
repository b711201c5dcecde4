import { Hono } from 'hono';
import { z } from 'zod';
import { gitDiscard } from '../../workspace/git-discard.ts';
import { gitCommitDiff, gitLog } from '../../workspace/git-history.ts';
import { gitCommit, gitDiff, gitStatus, gitSwitch } from '../../workspace/git.ts';
import type { AppDependencies } from '../app-context.ts';
import { noteAudit } from '../audit/audit-trail.ts';
import { parseBody } from '../http-problem.ts';
import { answer } from '../route-answer.ts';

const commitBody = z.object({ message: z.string().min(1).max(10_000), paths: z.array(z.string()).max(1000).optional() }).strict();
const discardBody = z.object({ path: z.string().min(1).max(4096) }).strict();
const branchBody = z.object({ name: z.string().min(1).max(200), create: z.boolean().default(false) }).strict();

/** What `POST /api/git/commit`, `/api/git/discard` and `/api/git/branches` take. */
export type GitCommitRequest = z.input<typeof commitBody>;
export type GitDiscardRequest = z.input<typeof discardBody>;
export type GitBranchRequest = z.input<typeof branchBody>;

/** The project's git repository: what changed, the diff, commit, discard, history, and branches. */
export function gitRoutes(deps: AppDependencies): Hono {
  const app = new Hono();

  app.get('/git/status', async (c) => answer(c, 'GET /api/git/status', await gitStatus(deps.root)));

  app.get('/git/diff', async (c) => answer(c, 'GET /api/git/diff', { diff: await gitDiff(deps.root, c.req.query('path') || undefined) }));

  app.post('/git/commit', async (c) => {
    const body = await parseBody(c, commitBody);
    const commit = await gitCommit(deps.root, body.message, body.paths);
    noteAudit(c, { action: 'git.commit', target: commit, detail: { message: body.message, ...(body.paths ? { paths: body.paths } : {}) } });
    return answer(c, 'POST /api/git/commit', { commit });
  });

  app.post('/git/discard', async (c) => {
    const body = await parseBody(c, discardBody);
    await gitDiscard(deps.root, body.path);
    noteAudit(c, { action: 'git.discard', target: body.path });
    return answer(c, 'POST /api/git/discard', await gitStatus(deps.root));
  });

  app.get('/git/log', async (c) => {
    const limit = z.coerce.number().int().min(1).max(500).catch(50).parse(c.req.query('limit') ?? 50);
    return answer(c, 'GET /api/git/log', { commits: await gitLog(deps.root, limit) });
  });

  app.get('/git/commits/:id', async (c) => answer(c, 'GET /api/git/commits/:id', { diff: await gitCommitDiff(deps.root, c.req.param('id')) }));

  app.post('/git/branches', async (c) => {
    const body = await parseBody(c, branchBody);
    await gitSwitch(deps.root, body.name, body.create);
    noteAudit(c, { action: 'git.branch', target: body.name, detail: { created: body.create } });
    return answer(c, 'POST /api/git/branches', await gitStatus(deps.root));
  });

  return app;
}
