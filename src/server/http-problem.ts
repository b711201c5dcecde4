import type { Context } from 'hono';
import type { z } from 'zod';
import { ConfigError, SluiceError, toSluiceError, type ErrorLocation } from '../core/errors.ts';
import { mask } from '../core/project/secrets.ts';

export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 500 | 503;

/** The body of every error answer: `{ error: ApiErrorBody }`. */
export interface ApiErrorBody {
  readonly code: string;
  readonly message: string;
  readonly location?: ErrorLocation;
}

/** Every error answer: `{ error: { code, message } }`, its message masked. */
export function problem(c: Context, status: ProblemStatus, code: string, message: string): Response {
  return c.json({ error: { code, message: mask(message) } satisfies ApiErrorBody }, status);
}

/** Which HTTP status an error's code means; the rest of a user's mistakes are 400, failures 500. */
const statusByCode: Record<string, ProblemStatus> = {
  'files.outside_project': 403,
  'trigger.api_disabled': 403,
  'pipeline.not_found': 404,
  'block.not_found': 404,
  'connection.not_found': 404,
  'files.not_found': 404,
  'run.not_found': 404,
  'run.unknown_block_run': 404,
  'run.no_output': 404,
  'metrics.unknown_value': 404,
  'user.not_found': 404,
  'user.exists': 409,
  'user.last_admin': 409,
  'run.finished': 409,
  'pipeline.exists': 409,
  'block.exists': 409,
  'connection.exists': 409,
  'files.exists': 409,
};

export function statusFor(error: SluiceError): ProblemStatus {
  const known = statusByCode[error.code];
  if (known) return known;
  return error.kind !== 'run' ? 400 : 500;
}

export function errorResponse(c: Context, error: unknown): Response {
  const failure = toSluiceError(error);
  return problem(c, statusFor(failure), failure.code, failure.describe());
}

/** Parses a JSON body with a zod schema once, at the boundary; a bad body is a 400 naming the field. */
export async function parseBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const raw: unknown = await c.req.json().catch(() => undefined);
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigError('api.bad_body', firstIssue(parsed.error, 'body'));
  return parsed.data;
}

/** A request's query string through its zod schema; a bad value is a 400 naming the parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, raw: Record<string, string>): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ConfigError('api.bad_query', firstIssue(parsed.error, 'query'));
  return parsed.data;
}

/** The first thing wrong with a request part, naming the field: `limit: limit is a whole number from 1 to 10000`. */
function firstIssue(error: z.ZodError, part: string): string {
  const issue = error.issues[0]!;
  return `${issue.path.map(String).join('.') || part}: ${issue.message}`;
}
