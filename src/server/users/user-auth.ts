import { createHash, randomBytes } from 'node:crypto';
import { tokenMatches } from '../api-token.ts';
import { ConfigError } from '../../core/errors.ts';
import type { RunStore } from '../../core/run-store/run-store.ts';
import type { Role, SignInHoldPolicy, UserRecord } from '../../core/run-store/user-store.ts';
import { verifyPassword } from './passwords.ts';

/**
 * Who a request acts as. `token` is the project's API token, which acts as
 * an admin only while the project has no users; `key` a user's API key;
 * `session` a signed-in browser.
 */
export interface Principal {
  readonly kind: 'token' | 'key' | 'session';
  readonly role: Role;
  /** The user's name; absent for the project token and its sessions. */
  readonly user?: string | undefined;
  /** How the audit log names them: `token`, `session:<tag>`, `user:<name>` or `key:<name>`. */
  readonly actor: string;
}

/** How long a browser session lasts: since its last request, and at most since it began. */
export interface SessionLimits {
  readonly idleMs: number;
  readonly absoluteMs: number;
}

export const defaultSessionLimits: SessionLimits = { idleMs: 8 * 3_600_000, absoluteMs: 7 * 86_400_000 };

/** Activity is written at most this often per session, so a busy page does not write on every request. */
const touchEveryMs = 30_000;

/**
 * Password guessing: after this many wrong passwords for one name within the
 * window, that name cannot sign in for `holdMs`, whether it exists or not (so
 * the hold tells nothing about which names exist). Counted in the metadata
 * store, so every server process on it holds a guessed name alike.
 */
export const signInHold = { failures: 5, windowMs: 15 * 60_000, holdMs: 60_000 } as const satisfies SignInHoldPolicy;

/** An identity a sign-in provider (OpenID Connect) has verified. */
export interface ExternalIdentity {
  /** The provider's stable id of the person (`iss` + `sub` is a good choice). */
  readonly subject: string;
  readonly email?: string | undefined;
  /** The user name to create when this subject is new (taken names get a suffix). */
  readonly name: string;
  /** The role the provider's claims map to. */
  readonly role: Role;
}

export function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A short tag of a session for the audit log: enough to tell sessions apart, useless for taking one over. */
export function sessionTag(id: string): string {
  return digest(id).slice(0, 8);
}

/** A new API key: `slk_` and 256 random bits. Only its SHA-256 is stored; the key is shown once. */
export function newApiKey(): string {
  return `slk_${randomBytes(32).toString('base64url')}`;
}

/**
 * Signs requests in: the project token (while there are no users), users'
 * API keys, and browser sessions stored in the metadata store, so they
 * survive a restart and every server process sharing the store sees them.
 * Each request reads the user afresh: a removed user or a lowered role
 * takes effect on the next request.
 */
export class UserAuth {
  /** Sessions begun with the project token (no users yet): in memory, as they die with the first user anyway. */
  private readonly tokenSessions = new Map<string, number>();

  constructor(
    private readonly store: Pick<RunStore, 'users'>,
    private readonly token: string,
    readonly limits: SessionLimits = defaultSessionLimits,
  ) {}

  async usersExist(): Promise<boolean> {
    return (await this.store.users.countUsers()) > 0;
  }

  /** A bearer credential: a user's API key, or the project token while there are no users. */
  async fromBearer(given: string): Promise<Principal | undefined> {
    if (given.startsWith('slk_')) {
      const user = await this.store.users.findUserByApiKey(digest(given));
      return user && { kind: 'key', role: user.role, user: user.name, actor: `key:${user.name}` };
    }
    if (tokenMatches(given, this.token) && !(await this.usersExist())) return { kind: 'token', role: 'admin', actor: 'token' };
    return undefined;
  }

  /** A session cookie's principal; an expired session is ended. `touch` records the request as activity. */
  async fromSession(id: string, touch = true): Promise<Principal | undefined> {
    const key = digest(id);
    const tokenSession = this.tokenSessions.get(key);
    if (tokenSession !== undefined) {
      if (tokenSession < Date.now() || (await this.usersExist())) {
        this.tokenSessions.delete(key);
        return undefined;
      }
      return { kind: 'session', role: 'admin', actor: `session:${sessionTag(id)}` };
    }
    const session = await this.store.users.getSession(key);
    if (!session) return undefined;
    const now = Date.now();
    if (now - Date.parse(session.lastSeenAt) > this.limits.idleMs || now - Date.parse(session.createdAt) > this.limits.absoluteMs) {
      await this.store.users.endSession(key);
      return undefined;
    }
    const user = await this.store.users.getUser(session.user);
    if (!user) return undefined;
    if (touch && now - Date.parse(session.lastSeenAt) > Math.min(touchEveryMs, this.limits.idleMs / 10)) await this.store.users.touchSession(key, new Date(now).toISOString());
    return { kind: 'session', role: user.role, user: user.name, actor: `user:${user.name}` };
  }

  /** Trades the project token for a session; refused once the project has users. */
  async signInWithToken(given: string): Promise<{ id: string; principal: Principal } | undefined> {
    if (!tokenMatches(given, this.token) || (await this.usersExist())) return undefined;
    const id = randomBytes(32).toString('base64url');
    this.tokenSessions.set(digest(id), Date.now() + this.limits.absoluteMs);
    return { id, principal: { kind: 'session', role: 'admin', actor: `session:${sessionTag(id)}` } };
  }

  /** How long (ms) `name` must wait before its next password sign-in; 0 when it may try now. */
  async signInHeldFor(name: string, now = Date.now()): Promise<number> {
    return Math.max(0, (await this.store.users.signInHeldUntil(name)) - now);
  }

  /** Checks a user's password (Argon2id) and opens a session; a name held after repeated wrong passwords is refused unchecked. */
  async signIn(name: string, password: string): Promise<{ id: string; principal: Principal } | undefined> {
    if ((await this.signInHeldFor(name)) > 0) return undefined;
    const ok = await verifyPassword(await this.store.users.passwordHash(name), password);
    const user = ok ? await this.store.users.getUser(name) : undefined;
    if (!user) {
      await this.store.users.noteSignInFailure(name, Date.now(), signInHold);
      return undefined;
    }
    await this.store.users.clearSignInFailures(name);
    return this.openSession(user);
  }

  /**
   * The seam for sign-in providers (OpenID Connect): given an identity the
   * provider has verified, finds the user by subject, or creates one with
   * the identity's name (a suffix when the name is taken), sets the role
   * the provider's claims map to (so a change at the provider applies at
   * the next sign-in), and opens a session. The caller sets the session
   * cookie (`sessionCookie`) to the returned id and audits the sign-in.
   */
  async signInExternal(identity: ExternalIdentity): Promise<{ id: string; principal: Principal; user: UserRecord; created: boolean; previousRole?: Role | undefined }> {
    let user = await this.store.users.findUserBySubject(identity.subject);
    let created = false;
    let previousRole: Role | undefined;
    if (!user) {
      for (let n = 1; !user; n++) {
        const name = n === 1 ? identity.name : `${identity.name}-${n}`;
        if (n > 50) throw new ConfigError('user.exists', `no free user name for '${identity.name}'`);
        if (await this.store.users.getUser(name)) continue;
        user = await this.store.users.addUser({ name, role: identity.role, email: identity.email, subject: identity.subject });
        created = true;
      }
    } else if (user.role !== identity.role) {
      previousRole = user.role;
      user = (await this.store.users.setRole(user.name, identity.role)) ?? user;
    }
    return { ...(await this.openSession(user)), user, created, ...(previousRole ? { previousRole } : {}) };
  }

  async openSession(user: UserRecord): Promise<{ id: string; principal: Principal }> {
    const id = randomBytes(32).toString('base64url');
    const now = new Date().toISOString();
    await this.store.users.createSession({ idHash: digest(id), user: user.name, createdAt: now, lastSeenAt: now });
    return { id, principal: { kind: 'session', role: user.role, user: user.name, actor: `user:${user.name}` } };
  }

  /** Ends the session server-side: its cookie is worthless afterwards, wherever it was copied. */
  async endSession(id: string): Promise<void> {
    const key = digest(id);
    this.tokenSessions.delete(key);
    await this.store.users.endSession(key);
  }
}

/** The session limits sluice.yaml's `auth.sessions` sets, the defaults for what it leaves out. */
export function sessionLimitsOf(settings: { readonly auth?: { readonly sessions?: { readonly idle?: number | undefined; readonly absolute?: number | undefined } | undefined } | undefined }): SessionLimits {
  const sessions = settings.auth?.sessions;
  return { idleMs: sessions?.idle ?? defaultSessionLimits.idleMs, absoluteMs: sessions?.absolute ?? defaultSessionLimits.absoluteMs };
}
