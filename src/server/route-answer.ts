import type { Context } from 'hono';

/**
 * What each route answers, by its key in the route table: filled in by
 * api-routes.ts (an interface it extends with the table's answers), so this
 * file needs nothing of the route files and they can import it.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface RouteAnswers {}

/** The success statuses a JSON answer of the API takes. */
type AnswerStatus = 200 | 201 | 202 | 207;

/**
 * A route's JSON answer, typed by its entry in the route table
 * (api-routes.ts): a handler that answers something else fails to compile,
 * so the table, the handler and the web client cannot drift apart.
 * `api-routes.test.ts` holds each handler to the key of its own route.
 * @example
 * app.get('/git/status', async (c) => answer(c, 'GET /api/git/status', await gitStatus(root)));
 */
export function answer<K extends keyof RouteAnswers>(c: Context, _route: K, body: RouteAnswers[K], status?: AnswerStatus): Response {
  return c.json(body as object, status);
}
