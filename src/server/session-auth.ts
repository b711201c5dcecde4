import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { getConnInfo } from '@hono/node-server/conninfo';
import { z } from 'zod';
import { parseBody, problem } from './http-problem.ts';
import type { AuditLog } from '../core/run-store/audit-log.ts';
import { sessionTag, type Principal, type UserAuth } from './users/user-auth.ts';
import { answer } from './route-answer.ts';

export const sessionCookie = 'sluice_session';
const stateChanging = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** How a request signed in: the UI's session cookie, or a script's bearer token or API key. */
export type AuthKind = 'session' | 'token';
export type AuthVariables = { auth: AuthKind };

declare module 'hono' {
  interface ContextVariableMap {
    /** Who the request acts as, with their role as of this request. */
    principal: Principal;
    /**
     * Signs the request's credential in again, without counting it as
     * activity: a long-lived answer (the live event stream) calls it to end
     * when the user is removed, their role changes or the session ends.
     */
    recheck: () => Promise<Principal | undefined>;
    /** Set when every sign-in cookie is Secure, whatever the request's scheme (AppDependencies.secureCookies). */
    secureCookies: boolean;
  }
}

/**
 * A cookie is sent with any request the browser makes, even one a foreign
 * page starts: a state change signed in by cookie must come from the UI's
 * own origin. Hosts are compared, not schemes, so the check holds behind a
 * proxy that ends TLS and forwards plain HTTP.
 */
export function sameOrigin(c: Context): boolean {
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

/** The peer's address when the app runs in the Node server; requests made in-process (tests) have none. */
export function remoteAddress(c: Context): string | undefined {
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

/** Every /api route but health and the session routes needs an API key, the project token or a session. */
export function requireAuth(auth: UserAuth): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const given = bearer(c);
    if (given !== undefined || c.req.header('authorization')) {
      const principal = given === undefined ? undefined : await auth.fromBearer(given);
      if (!principal) return problem(c, 401, 'auth.required', 'the token or API key is not valid');
      signedIn(c, 'token', principal, () => auth.fromBearer(given!));
      return next();
    }
    const id = getCookie(c, sessionCookie);
    const principal = id ? await auth.fromSession(id) : undefined;
    if (principal) {
      if (stateChanging.has(c.req.method) && !sameOrigin(c)) {
        return problem(c, 403, 'auth.bad_origin', 'a change signed in by session cookie must come from the Sluice UI itself');
      }
      signedIn(c, 'session', principal, () => auth.fromSession(id!, false));
      return next();
    }
    return problem(c, 401, 'auth.required', 'sign in (POST /api/session) or send an API key as Authorization: Bearer KEY');
  };
}

function signedIn(c: Context, kind: AuthKind, principal: Principal, recheck: () => Promise<Principal | undefined>): void {
  c.set('auth', kind);
  c.set('principal', principal);
  c.set('recheck', recheck);
  c.set('actor', { name: principal.actor, address: remoteAddress(c) });
}

const signInBody = z.union([
  z.object({ token: z.string().max(1000) }).strict(),
  z.object({ user: z.string().min(1).max(200), password: z.string().max(1000) }).strict(),
]);

/** What `POST /api/session` takes: the project token while it has no users, else a name and password. */
export type SignInRequest = z.input<typeof signInBody>;

/** What `GET /api/session` answers: whether the caller is signed in, as whom, and how the sign-in page should ask. */
export interface SessionView {
  readonly authenticated: boolean;
  readonly user?: string | undefined;
  readonly role?: Principal['role'] | undefined;
  /** True once the project has users: the sign-in page asks for a name and password instead of the token. */
  readonly usersExist: boolean;
  /** Set when sluice.yaml configures OpenID Connect: the sign-in page offers "Sign in with <provider>". */
  readonly oidc?: { readonly provider: string } | undefined;
}

/**
 * `GET/POST/DELETE /api/session`: the browser signs in once, with a user's
 * name and password (or, while the project has no users, its token) and
 * gets an HttpOnly cookie. Signing in and out is audited.
 */
export function sessionRoutes(auth: UserAuth, audit: AuditLog, oidcProvider?: string): Hono {
  const app = new Hono();
  const oidc = oidcProvider === undefined ? undefined : { provider: oidcProvider };
  const principalOf = async (c: Context): Promise<Principal | undefined> => {
    const given = bearer(c);
    if (given !== undefined) return auth.fromBearer(given);
    const id = getCookie(c, sessionCookie);
    return id ? auth.fromSession(id, false) : undefined;
  };
  app.get('/session', async (c) => {
    const principal = await principalOf(c);
    return answer(c, 'GET /api/session', { authenticated: Boolean(principal), user: principal?.user, role: principal?.role, usersExist: await auth.usersExist(), oidc } satisfies SessionView);
  });
  app.post('/session', async (c) => {
    if (c.req.header('origin') && !sameOrigin(c)) return problem(c, 403, 'auth.bad_origin', 'sign in from the Sluice UI itself');
    const body = await parseBody(c, signInBody);
    const held = 'user' in body ? await auth.signInHeldFor(body.user) : 0;
    if (held > 0 && 'user' in body) {
      c.header('retry-after', String(Math.ceil(held / 1000)));
      return problem(c, 429, 'auth.too_many_attempts', `too many wrong passwords for '${body.user}': try again in ${Math.ceil(held / 1000)} seconds`);
    }
    const opened = 'token' in body ? await auth.signInWithToken(body.token) : await auth.signIn(body.user, body.password);
    if (!opened) {
      const message = 'token' in body ? ((await auth.usersExist()) ? 'this project has users: sign in with your name and password' : 'the token is not valid') : 'the name or password is not right';
      return problem(c, 401, 'auth.required', message);
    }
    await audit.append({ actor: opened.principal.actor, address: remoteAddress(c), action: 'session.start', target: sessionTag(opened.id) });
    await endPreviousSession(c, auth);
    setSessionCookie(c, opened.id, auth.limits.absoluteMs);
    return answer(c, 'POST /api/session', { authenticated: true, user: opened.principal.user, role: opened.principal.role, usersExist: await auth.usersExist(), oidc } satisfies SessionView);
  });
  app.delete('/session', async (c) => {
    if (c.req.header('origin') && !sameOrigin(c)) return problem(c, 403, 'auth.bad_origin', 'sign out from the Sluice UI itself');
    const id = getCookie(c, sessionCookie);
    const principal = id ? await auth.fromSession(id, false) : undefined;
    if (id && principal) await audit.append({ actor: principal.actor, address: remoteAddress(c), action: 'session.end', target: sessionTag(id) });
    if (id) await auth.endSession(id);
    deleteCookie(c, sessionCookie, { path: '/' });
    return answer(c, 'DELETE /api/session', { authenticated: false, usersExist: await auth.usersExist(), oidc } satisfies SessionView);
  });
  return app;
}

/**
 * A browser that signs in again (another user, or the same) ends the session
 * its cookie held: the cookie is replaced, and a copy of the old one left
 * elsewhere must not stay signed in.
 */
export async function endPreviousSession(c: Context, auth: UserAuth): Promise<void> {
  const previous = getCookie(c, sessionCookie);
  if (previous) await auth.endSession(previous);
}

/** Whether a cookie set on this request is Secure: over HTTPS, or always behind an HTTPS proxy. */
export function secureCookie(c: Context): boolean {
  return c.get('secureCookies') === true || new URL(c.req.url).protocol === 'https:';
}

/** The session cookie: HttpOnly, same-site only, Secure over HTTPS (or behind an HTTPS proxy). */
export function setSessionCookie(c: Context, id: string, maxAgeMs: number): void {
  setCookie(c, sessionCookie, id, {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    secure: secureCookie(c),
    maxAge: Math.floor(maxAgeMs / 1000),
  });
}
