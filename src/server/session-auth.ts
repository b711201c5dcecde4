import { createHash, randomBytes } from 'node:crypto';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { getConnInfo } from '@hono/node-server/conninfo';
import { z } from 'zod';
import { tokenMatches } from './api-token.ts';
import { parseBody, problem } from './http-problem.ts';
import type { AuditLog } from '../core/run-store/audit-log.ts';

export const sessionCookie = 'sluice_session';
const sessionLifetimeMs = 12 * 60 * 60 * 1000;
const stateChanging = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** How a request signed in: the UI's session cookie, or a script's bearer token. */
export type AuthKind = 'session' | 'token';
export type AuthVariables = { auth: AuthKind };

/**
 * Signed-in browser sessions: random ids kept in memory, so a restart signs
 * everyone out. The map is keyed by the id's SHA-256, so how long a lookup
 * takes says nothing about how close a guessed id came.
 */
export class Sessions {
  private readonly expiries = new Map<string, number>();

  create(): string {
    const id = randomBytes(32).toString('base64url');
    this.expiries.set(digest(id), Date.now() + sessionLifetimeMs);
    return id;
  }

  valid(id: string | undefined): boolean {
    if (!id) return false;
    const key = digest(id);
    const expires = this.expiries.get(key);
    if (expires === undefined) return false;
    if (expires < Date.now()) {
      this.expiries.delete(key);
      return false;
    }
    return true;
  }

  end(id: string | undefined): void {
    if (id) this.expiries.delete(digest(id));
  }
}

function digest(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

/**
 * A cookie is sent with any request the browser makes, even one a foreign
 * page starts: a state change signed in by cookie must come from the UI's
 * own origin. Hosts are compared, not schemes, so the check holds behind a
 * proxy that ends TLS and forwards plain HTTP.
 */
function sameOrigin(c: Context): boolean {
  const origin = c.req.header('origin');
  if (!origin) return c.req.header('sec-fetch-site') === 'same-origin';
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  return host === (c.req.header('host') ?? new URL(c.req.url).host);
}

/**
 * A short tag of a session for the audit log: the first 8 hex digits of its
 * id's SHA-256, enough to tell sessions apart, useless for taking one over.
 */
export function sessionTag(id: string): string {
  return digest(id).slice(0, 8);
}

/** The peer's address when the app runs in the Node server; requests made in-process (tests) have none. */
function remoteAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

function bearer(c: Context): string | undefined {
  const header = c.req.header('authorization');
  return header?.startsWith('Bearer ') ? header.slice(7) : undefined;
}

/** Every /api route but health and the session routes needs a token or a session. */
export function requireAuth(token: string, sessions: Sessions): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const given = bearer(c);
    if (given !== undefined || c.req.header('authorization')) {
      if (!tokenMatches(given, token)) return problem(c, 401, 'auth.required', 'the token is not valid');
      c.set('auth', 'token');
      c.set('actor', { name: 'token', address: remoteAddress(c) });
      return next();
    }
    if (sessions.valid(getCookie(c, sessionCookie))) {
      if (stateChanging.has(c.req.method) && !sameOrigin(c)) {
        return problem(c, 403, 'auth.bad_origin', 'a change signed in by session cookie must come from the Sluice UI itself');
      }
      c.set('auth', 'session');
      c.set('actor', { name: `session:${sessionTag(getCookie(c, sessionCookie)!)}`, address: remoteAddress(c) });
      return next();
    }
    return problem(c, 401, 'auth.required', 'sign in (POST /api/session) or send the API token as Authorization: Bearer TOKEN');
  };
}

/**
 * `GET/POST/DELETE /api/session`: the browser trades the token for an
 * HttpOnly cookie once. Signing in and out is audited, so a session's tag
 * in the audit log leads to when and from where it began.
 */
export function sessionRoutes(token: string, sessions: Sessions, audit: AuditLog): Hono {
  const app = new Hono();
  app.get('/session', (c) => c.json({ authenticated: sessions.valid(getCookie(c, sessionCookie)) || tokenMatches(bearer(c), token) }));
  app.post('/session', async (c) => {
    if (c.req.header('origin') && !sameOrigin(c)) return problem(c, 403, 'auth.bad_origin', 'sign in from the Sluice UI itself');
    const body = await parseBody(c, z.object({ token: z.string().max(1000) }).strict());
    if (!tokenMatches(body.token, token)) return problem(c, 401, 'auth.required', 'the token is not valid');
    const id = sessions.create();
    const tag = sessionTag(id);
    await audit.append({ actor: `session:${tag}`, address: remoteAddress(c), action: 'session.start', target: tag });
    setCookie(c, sessionCookie, id, {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      secure: new URL(c.req.url).protocol === 'https:',
      maxAge: sessionLifetimeMs / 1000,
    });
    return c.json({ authenticated: true });
  });
  app.delete('/session', async (c) => {
    if (c.req.header('origin') && !sameOrigin(c)) return problem(c, 403, 'auth.bad_origin', 'sign out from the Sluice UI itself');
    const id = getCookie(c, sessionCookie);
    if (id && sessions.valid(id)) await audit.append({ actor: `session:${sessionTag(id)}`, address: remoteAddress(c), action: 'session.end', target: sessionTag(id) });
    sessions.end(id);
    deleteCookie(c, sessionCookie, { path: '/' });
    return c.json({ authenticated: false });
  });
  return app;
}
