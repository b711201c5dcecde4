import { z } from 'zod';
import { roles } from '../run-store/user-store.ts';

const role = z.enum(roles);

/**
 * sluice.yaml `auth.oidc`: sign-in through an OpenID Connect provider
 * (authorization code flow with PKCE, state and nonce). `client_secret`
 * must be a `${ENV}` reference, so the secret never sits in the project's
 * files; users map to roles by the `role_claim` claim's value.
 *
 * @example
 * auth:
 *   oidc:
 *     issuer: https://login.example.com/realms/data
 *     client_id: sluice
 *     client_secret: ${SLUICE_OIDC_SECRET}
 *     role_claim: groups
 *     roles: { data-admins: admin, data-eng: editor, analysts: viewer }
 */
export const oidcSettingsSchema = z
  .object({
    /** The provider's issuer URL; its `/.well-known/openid-configuration` is read at the first sign-in. */
    issuer: z.url(),
    /** What the sign-in button says: "Sign in with <name>" (the issuer's host by default). */
    name: z.string().min(1).max(60).optional(),
    client_id: z.string().min(1),
    client_secret: z
      .string()
      .regex(/^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/, 'client_secret must be an environment reference such as ${SLUICE_OIDC_SECRET}, never the secret itself')
      .optional(),
    /** Where the provider sends the browser back; `<the request's origin>/api/auth/oidc/callback` by default. */
    redirect_url: z.url().optional(),
    /** Extra scopes besides `openid profile email`, e.g. `groups`. */
    scopes: z.array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/)).default([]),
    /** The claim (in the ID token or the userinfo answer) whose value picks the role; a string or a list of strings. */
    role_claim: z.string().min(1),
    /** Claim value to role; a list claim takes the highest role any of its values maps to. */
    roles: z.record(z.string(), role),
    /** The role of a user whose claim maps to no role; without it such a user is refused. */
    default_role: role.optional(),
  })
  .strict();

export type OidcSettings = z.infer<typeof oidcSettingsSchema>;
