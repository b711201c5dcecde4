import * as client from 'openid-client';
import { ConfigError } from '../../core/errors.ts';
import { fillEnv } from '../../core/project/fill-env.ts';
import type { OidcSettings } from '../../core/project/oidc-settings.ts';
import { roleAtLeast, type Role } from '../../core/run-store/user-store.ts';
import type { ExternalIdentity } from './user-auth.ts';

/** `auth.oidc` with its secret read from the environment: what the server signs in with. */
export interface OidcOptions {
  readonly issuer: URL;
  /** What the sign-in button names. */
  readonly provider: string;
  readonly clientId: string;
  readonly clientSecret?: string | undefined;
  readonly redirectUrl?: string | undefined;
  readonly scopes: readonly string[];
  readonly roleClaim: string;
  readonly roles: Readonly<Record<string, Role>>;
  readonly defaultRole?: Role | undefined;
}

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** True for an issuer on this machine, the only place plain HTTP is allowed. */
export function isLoopbackUrl(url: URL): boolean {
  return loopbackHosts.has(url.hostname);
}

/** Reads `auth.oidc`'s `${ENV}` secret (registered for masking) and refuses plain HTTP beyond loopback. */
export function oidcOptionsOf(settings: OidcSettings | undefined, env: NodeJS.ProcessEnv = process.env): OidcOptions | undefined {
  if (!settings) return undefined;
  const filled = fillEnv(settings, (name) => new ConfigError('auth.oidc_env_missing', `auth.oidc in sluice.yaml needs the environment variable ${name}, which is not set`), env);
  const issuer = new URL(filled.issuer);
  if (issuer.protocol !== 'https:' && !(issuer.protocol === 'http:' && isLoopbackUrl(issuer))) {
    throw new ConfigError('auth.oidc_insecure', `auth.oidc.issuer must use https (plain http is allowed only on loopback): ${issuer.origin}`);
  }
  return {
    issuer,
    provider: filled.name ?? issuer.hostname,
    clientId: filled.client_id,
    clientSecret: filled.client_secret,
    redirectUrl: filled.redirect_url,
    scopes: filled.scopes,
    roleClaim: filled.role_claim,
    roles: filled.roles,
    defaultRole: filled.default_role,
  };
}

/**
 * The role a user's claims map to: a string claim maps directly, a list
 * claim to the highest role any of its values maps to; otherwise the
 * default role, or undefined (refused).
 */
export function roleFromClaims(claims: Readonly<Record<string, unknown>>, options: Pick<OidcOptions, 'roleClaim' | 'roles' | 'defaultRole'>): Role | undefined {
  const value = claims[options.roleClaim];
  const values = Array.isArray(value) ? value : [value];
  let best: Role | undefined;
  for (const item of values) {
    if (typeof item !== 'string' || !Object.hasOwn(options.roles, item)) continue;
    const role = options.roles[item]!;
    if (!best || roleAtLeast(role, best)) best = role;
  }
  return best ?? options.defaultRole;
}

/** A user name from the claims: the preferred user name, the e-mail's local part, or the subject. */
export function userNameFromClaims(claims: Readonly<Record<string, unknown>>): string {
  const text = (key: string) => (typeof claims[key] === 'string' && claims[key] ? (claims[key] as string) : undefined);
  const raw = text('preferred_username') ?? text('email')?.split('@')[0] ?? text('sub') ?? 'user';
  return raw.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 60) || 'user';
}

/** What the browser carries between the start and the callback (in an HttpOnly cookie). */
export interface OidcTransaction {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
  readonly redirectUri: string;
}

/** The outcome of a callback: an identity to sign in, or a refusal to explain. */
export type OidcOutcome =
  | { readonly kind: 'identity'; readonly identity: ExternalIdentity }
  | { readonly kind: 'no_role'; readonly subject: string; readonly name: string; readonly claim: unknown };

/**
 * The OpenID Connect client (openid-client): authorization code flow with
 * PKCE (S256), state and nonce. The provider's metadata is discovered at the
 * first sign-in and kept; a failed discovery is tried again next time.
 */
export class OidcClient {
  private config: Promise<client.Configuration> | undefined;

  constructor(readonly options: OidcOptions) {}

  private configuration(): Promise<client.Configuration> {
    this.config ??= client
      .discovery(
        this.options.issuer,
        this.options.clientId,
        undefined,
        this.options.clientSecret === undefined ? client.None() : client.ClientSecretPost(this.options.clientSecret),
        // openid-client refuses plain HTTP; oidcOptionsOf allowed it only for a loopback issuer.
        this.options.issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        this.config = undefined;
        throw new ConfigError('auth.oidc_discovery', `could not read the OpenID Connect provider's configuration at ${this.options.issuer.origin}`, { cause: error });
      });
    return this.config;
  }

  /** The provider's sign-in URL and the transaction the callback checks against. */
  async start(origin: string): Promise<{ url: URL; transaction: OidcTransaction }> {
    const config = await this.configuration();
    const verifier = client.randomPKCECodeVerifier();
    const transaction: OidcTransaction = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier,
      redirectUri: this.options.redirectUrl ?? `${origin}/api/auth/oidc/callback`,
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: transaction.redirectUri,
      scope: ['openid', 'profile', 'email', ...this.options.scopes].join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: transaction.state,
      nonce: transaction.nonce,
    });
    return { url, transaction };
  }

  /**
   * Checks the provider's answer (state, PKCE, the ID token's signature,
   * issuer, audience and nonce), reads the claims from the ID token and
   * the userinfo endpoint, and maps them to a role.
   */
  async finish(currentUrl: URL, transaction: OidcTransaction): Promise<OidcOutcome> {
    const config = await this.configuration();
    const tokens = await client.authorizationCodeGrant(
      config,
      currentUrl,
      { expectedState: transaction.state, expectedNonce: transaction.nonce, pkceCodeVerifier: transaction.verifier, idTokenExpected: true },
      { redirect_uri: transaction.redirectUri },
    );
    const idClaims = tokens.claims()!;
    // With the code flow most providers put profile claims only in the userinfo answer.
    const userInfo = tokens.access_token ? await client.fetchUserInfo(config, tokens.access_token, idClaims.sub) : {};
    const claims: Record<string, unknown> = { ...idClaims, ...userInfo };
    const subject = `${idClaims.iss}|${idClaims.sub}`;
    const name = userNameFromClaims(claims);
    const role = roleFromClaims(claims, this.options);
    if (!role) return { kind: 'no_role', subject, name, claim: claims[this.options.roleClaim] };
    const email = typeof claims.email === 'string' ? claims.email : undefined;
    return { kind: 'identity', identity: { subject, name, email, role } };
  }
}
