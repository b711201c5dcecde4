/**
 * Users, their roles, their signed-in sessions and their API keys, kept in
 * the metadata store beside run history so every server process sharing the
 * store sees the same people. Session ids and API keys are stored only as
 * their SHA-256 (both are long random strings, so a plain digest is enough);
 * passwords only as an Argon2id hash made by the server's user module.
 */

/** Each role may do what the roles before it may, and more (see docs/security.md). */
export const roles = ['viewer', 'operator', 'editor', 'admin'] as const;
export type Role = (typeof roles)[number];

/** True when `role` may do what `needed` may. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return roles.indexOf(role) >= roles.indexOf(needed);
}

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

export interface UserRecord {
  readonly name: string;
  readonly role: Role;
  readonly email?: string | undefined;
  /** The identity provider's subject, for users who sign in through one. */
  readonly subject?: string | undefined;
  readonly createdAt: string;
  /** Whether the user has a password (it is never read back). */
  readonly hasPassword: boolean;
  /** When the user's API key was issued; absent without one. */
  readonly apiKeyIssuedAt?: string | undefined;
}

export interface NewUserRecord {
  readonly name: string;
  readonly role: Role;
  readonly passwordHash?: string | undefined;
  readonly email?: string | undefined;
  readonly subject?: string | undefined;
}

export interface SessionRecord {
  /** The SHA-256 (hex) of the session id the browser holds. */
  readonly idHash: string;
  readonly user: string;
  readonly createdAt: string;
  readonly lastSeenAt: string;
}

/**
 * The users part of the run store. Both stores implement it and pass
 * `describeUserStoreContract`. Removing a user removes their sessions and
 * key in the same statement, so a removed user's next request finds nothing.
 */
export interface UserStore {
  /** Adds a user; a name (or subject) that is taken is a ConfigError `user.exists`. */
  addUser(user: NewUserRecord): Promise<UserRecord>;
  getUser(name: string): Promise<UserRecord | undefined>;
  findUserBySubject(subject: string): Promise<UserRecord | undefined>;
  /** The stored password hash, for the sign-in check only. */
  passwordHash(name: string): Promise<string | undefined>;
  /** By name. */
  listUsers(): Promise<UserRecord[]>;
  countUsers(): Promise<number>;
  /** Undefined when there is no such user. */
  setRole(name: string, role: Role): Promise<UserRecord | undefined>;
  setPassword(name: string, passwordHash: string): Promise<boolean>;
  /** Removes the user, their sessions and their API key; false when there was no such user. */
  removeUser(name: string): Promise<boolean>;
  createSession(session: SessionRecord): Promise<void>;
  getSession(idHash: string): Promise<SessionRecord | undefined>;
  /** Records activity on a session (for idle expiry). */
  touchSession(idHash: string, at: string): Promise<void>;
  endSession(idHash: string): Promise<boolean>;
  /** Ends every session of one user; returns how many. */
  endUserSessions(name: string): Promise<number>;
  /** Gives the user a new API key (stored as its SHA-256), replacing any key they had. */
  setApiKey(name: string, keyHash: string, at: string): Promise<boolean>;
  /** Revokes the user's API key; false when they had none. */
  revokeApiKey(name: string): Promise<boolean>;
  /** The user whose API key has this SHA-256. */
  findUserByApiKey(keyHash: string): Promise<UserRecord | undefined>;
  /**
   * Counts a wrong password for `name` (a user or not) at `nowMs`, in one
   * atomic step shared by every process on the store: failures older than
   * the window are forgotten, and the one that reaches `policy.failures`
   * holds the name for `policy.holdMs` and starts the count again.
   */
  noteSignInFailure(name: string, nowMs: number, policy: SignInHoldPolicy): Promise<void>;
  /** Until when (epoch ms) `name` may not try a password; 0 when it was never held. */
  signInHeldUntil(name: string): Promise<number>;
  /** Forgets the wrong passwords counted for `name` (after a right one). */
  clearSignInFailures(name: string): Promise<void>;
}

/** After `failures` wrong passwords for one name within `windowMs`, the name cannot sign in for `holdMs`. */
export interface SignInHoldPolicy {
  readonly failures: number;
  readonly windowMs: number;
  readonly holdMs: number;
}
