import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { mask } from '../../core/project/secrets.ts';
import type { AuditLog } from '../../core/run-store/audit-log.ts';
import { problem } from '../http-problem.ts';
import { endPreviousSession, remoteAddress, secureCookie, setSessionCookie } from '../session-auth.ts';
import type { OidcClient, OidcTransaction } from './oidc-client.ts';
import { sessionTag, type UserAuth } from './user-auth.ts';

const transactionCookie = 'sluice_oidc';
const cookiePath = '/api/auth/oidc';

/** A short page for a sign-in that did not happen: what went wrong and a way back. Never a secret. */
function refusal(c: Context, status: 400 | 403, title: string, detail: string): Response | Promise<Response> {
  c.status(status);
  return c.html(
    html`<!doctype html>
      <html lang="en">
        <head><meta charset="utf-8" /><title>Sign-in refused · Sluice</title></head>
        <body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
          <h1 data-testid="oidc-refused">${title}</h1>
          <p data-testid="oidc-refused-detail">${mask(detail)}</p>
          <p><a href="/">Back to sign-in</a></p>
        </body>
      </html>`,
  );
}

/** openid-client wraps what failed (`unexpected "state" response parameter value`) in a general message. */
function reasonOf(failure: unknown): string {
  if (!(failure instanceof Error)) return String(failure);
  const cause = failure.cause instanceof Error ? failure.cause.message : undefined;
  return cause && cause !== failure.message ? `${failure.message}: ${cause}` : failure.message;
}

function readTransaction(c: Context): OidcTransaction | undefined {
  const raw = getCookie(c, transactionCookie);
  if (!raw) return undefined;
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<OidcTransaction>;
    return typeof value.state === 'string' && typeof value.nonce === 'string' && typeof value.verifier === 'string' && typeof value.redirectUri === 'string' ? (value as OidcTransaction) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `GET /api/auth/oidc/start` sends the browser to the provider, with the
 * state, nonce and PKCE verifier in a short-lived HttpOnly cookie (SameSite
 * Lax, so it comes back with the provider's redirect);
 * `GET /api/auth/oidc/callback` checks the answer, maps the claims to a
 * role, opens a session and returns to the UI. Both answer 404 when
 * sluice.yaml has no `auth.oidc`.
 */
export function oidcRoutes(auth: UserAuth, audit: AuditLog, oidc: OidcClient | undefined): Hono {
  const app = new Hono();

  app.get('/auth/oidc/start', async (c) => {
    if (!oidc) return problem(c, 404, 'auth.oidc_off', 'OpenID Connect sign-in is not configured (sluice.yaml auth.oidc)');
    const { url, transaction } = await oidc.start(new URL(c.req.url).origin);
    setCookie(c, transactionCookie, Buffer.from(JSON.stringify(transaction)).toString('base64url'), { httpOnly: true, sameSite: 'Lax', path: cookiePath, secure: secureCookie(c), maxAge: 600 });
    return c.redirect(url.href, 302);
  });

  app.get('/auth/oidc/callback', async (c) => {
    if (!oidc) return problem(c, 404, 'auth.oidc_off', 'OpenID Connect sign-in is not configured (sluice.yaml auth.oidc)');
    const transaction = readTransaction(c);
    deleteCookie(c, transactionCookie, { path: cookiePath });
    const provider = oidc.options.provider;
    if (!transaction) return refusal(c, 400, 'Sign-in expired', `The sign-in with ${provider} took too long or was started elsewhere. Start it again from the sign-in page.`);
    const error = c.req.query('error');
    if (error) return refusal(c, 403, `${provider} did not sign you in`, `${error}${c.req.query('error_description') ? `: ${c.req.query('error_description')}` : ''}`);
    let outcome;
    try {
      outcome = await oidc.finish(new URL(c.req.url), transaction);
    } catch (failure) {
      const reason = reasonOf(failure);
      await audit.append({ actor: 'oidc', address: remoteAddress(c), action: 'session.refused', target: provider, detail: { via: 'oidc', reason: mask(reason) } });
      return refusal(c, 400, 'Sign-in could not be verified', `The answer from ${provider} did not check out (${reason}). Start again from the sign-in page.`);
    }
    if (outcome.kind === 'no_role') {
      await audit.append({ actor: `oidc:${outcome.name}`, address: remoteAddress(c), action: 'session.refused', target: outcome.name, detail: { via: 'oidc', subject: outcome.subject, claim: outcome.claim ?? null } });
      return refusal(
        c,
        403,
        'No Sluice role for this account',
        `${provider} signed you in as ${outcome.name}, but your ${oidc.options.roleClaim} (${JSON.stringify(outcome.claim ?? null)}) maps to no Sluice role. Ask an admin to grant you one at ${provider}.`,
      );
    }
    const opened = await auth.signInExternal(outcome.identity);
    // A user the provider created, or whose role its claim changed, is a user change like one an admin makes.
    const actor = `oidc:${provider}`;
    if (opened.created) await audit.append({ actor, address: remoteAddress(c), action: 'user.add', target: opened.user.name, detail: { role: opened.user.role, via: 'oidc', subject: outcome.identity.subject } });
    if (opened.previousRole) await audit.append({ actor, address: remoteAddress(c), action: 'user.role', target: opened.user.name, detail: { from: opened.previousRole, to: opened.user.role, via: 'oidc' } });
    await endPreviousSession(c, auth);
    await audit.append({
      actor: opened.principal.actor,
      address: remoteAddress(c),
      action: 'session.start',
      target: sessionTag(opened.id),
      detail: { via: 'oidc', provider, subject: outcome.identity.subject, role: opened.principal.role, created: opened.created },
    });
    setSessionCookie(c, opened.id, auth.limits.absoluteMs);
    return c.redirect('/#/pipelines', 302);
  });
  return app;
}
