import type { Pool } from 'pg';
import { ConfigError } from '../errors.ts';
import type { NewUserRecord, Role, SessionRecord, SignInHoldPolicy, UserRecord, UserStore } from './user-store.ts';

/** Users, their sessions and API keys (a PostgreSQL migration). Removing a user cascades to the rest. */
export const postgresUsersMigration = (s: string): string => `
    CREATE TABLE ${s}.users (
      name text PRIMARY KEY,
      role text NOT NULL,
      password_hash text,
      email text,
      subject text UNIQUE,
      api_key_hash text UNIQUE,
      api_key_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE ${s}.user_sessions (
      id_hash text PRIMARY KEY,
      user_name text NOT NULL REFERENCES ${s}.users (name) ON DELETE CASCADE,
      created_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL
    );
    CREATE INDEX user_sessions_user ON ${s}.user_sessions (user_name);`;

/** Wrong passwords per name, shared by every server process on the store (a PostgreSQL migration); times are epoch ms. */
export const postgresSignInFailuresMigration = (s: string): string => `
    CREATE TABLE ${s}.sign_in_failures (
      name text PRIMARY KEY,
      failures integer NOT NULL,
      since_ms bigint NOT NULL,
      held_until_ms bigint NOT NULL
    );
    CREATE INDEX sign_in_failures_since ON ${s}.sign_in_failures (since_ms);`;

interface UserRow {
  name: string;
  role: Role;
  email: string | null;
  subject: string | null;
  password_hash: string | null;
  api_key_at: Date | null;
  created_at: Date;
}

interface SessionRow {
  id_hash: string;
  user_name: string;
  created_at: Date;
  last_seen_at: Date;
}

/** The users part of the PostgreSQL run store. */
export class PostgresUserStore implements UserStore {
  private readonly users: string;
  private readonly sessions: string;
  private readonly failures: string;

  /** `schema` is quoted already. */
  constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    this.users = `${schema}.users`;
    this.sessions = `${schema}.user_sessions`;
    this.failures = `${schema}.sign_in_failures`;
  }

  async addUser(user: NewUserRecord): Promise<UserRecord> {
    try {
      const result = await this.pool.query<UserRow>(`INSERT INTO ${this.users} (name, role, password_hash, email, subject) VALUES ($1, $2, $3, $4, $5) RETURNING *`, [
        user.name,
        user.role,
        user.passwordHash ?? null,
        user.email ?? null,
        user.subject ?? null,
      ]);
      return toUser(result.rows[0]!);
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new ConfigError('user.exists', `a user named '${user.name}' (or with that identity) exists already`);
      throw error;
    }
  }

  async getUser(name: string): Promise<UserRecord | undefined> {
    return this.one(`SELECT * FROM ${this.users} WHERE name = $1`, [name]);
  }

  async findUserBySubject(subject: string): Promise<UserRecord | undefined> {
    return this.one(`SELECT * FROM ${this.users} WHERE subject = $1`, [subject]);
  }

  async findUserByApiKey(keyHash: string): Promise<UserRecord | undefined> {
    return this.one(`SELECT * FROM ${this.users} WHERE api_key_hash = $1`, [keyHash]);
  }

  async passwordHash(name: string): Promise<string | undefined> {
    const result = await this.pool.query<{ password_hash: string | null }>(`SELECT password_hash FROM ${this.users} WHERE name = $1`, [name]);
    return result.rows[0]?.password_hash ?? undefined;
  }

  async listUsers(): Promise<UserRecord[]> {
    return (await this.pool.query<UserRow>(`SELECT * FROM ${this.users} ORDER BY name COLLATE "C"`)).rows.map(toUser);
  }

  async countUsers(): Promise<number> {
    return Number((await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.users}`)).rows[0]!.n);
  }

  async setRole(name: string, role: Role): Promise<UserRecord | undefined> {
    return this.one(`UPDATE ${this.users} SET role = $1 WHERE name = $2 RETURNING *`, [role, name]);
  }

  async setPassword(name: string, passwordHash: string): Promise<boolean> {
    return ((await this.pool.query(`UPDATE ${this.users} SET password_hash = $1 WHERE name = $2`, [passwordHash, name])).rowCount ?? 0) > 0;
  }

  async removeUser(name: string): Promise<boolean> {
    return ((await this.pool.query(`DELETE FROM ${this.users} WHERE name = $1`, [name])).rowCount ?? 0) > 0;
  }

  async createSession(session: SessionRecord): Promise<void> {
    await this.pool.query(`INSERT INTO ${this.sessions} (id_hash, user_name, created_at, last_seen_at) VALUES ($1, $2, $3, $4)`, [session.idHash, session.user, session.createdAt, session.lastSeenAt]);
  }

  async getSession(idHash: string): Promise<SessionRecord | undefined> {
    const row = (await this.pool.query<SessionRow>(`SELECT * FROM ${this.sessions} WHERE id_hash = $1`, [idHash])).rows[0];
    return row && { idHash: row.id_hash, user: row.user_name, createdAt: row.created_at.toISOString(), lastSeenAt: row.last_seen_at.toISOString() };
  }

  async touchSession(idHash: string, at: string): Promise<void> {
    await this.pool.query(`UPDATE ${this.sessions} SET last_seen_at = $1 WHERE id_hash = $2 AND last_seen_at < $1`, [at, idHash]);
  }

  async endSession(idHash: string): Promise<boolean> {
    return ((await this.pool.query(`DELETE FROM ${this.sessions} WHERE id_hash = $1`, [idHash])).rowCount ?? 0) > 0;
  }

  async endUserSessions(name: string): Promise<number> {
    return (await this.pool.query(`DELETE FROM ${this.sessions} WHERE user_name = $1`, [name])).rowCount ?? 0;
  }

  async setApiKey(name: string, keyHash: string, at: string): Promise<boolean> {
    return ((await this.pool.query(`UPDATE ${this.users} SET api_key_hash = $1, api_key_at = $2 WHERE name = $3`, [keyHash, at, name])).rowCount ?? 0) > 0;
  }

  async revokeApiKey(name: string): Promise<boolean> {
    return ((await this.pool.query(`UPDATE ${this.users} SET api_key_hash = NULL, api_key_at = NULL WHERE name = $1 AND api_key_hash IS NOT NULL`, [name])).rowCount ?? 0) > 0;
  }

  async noteSignInFailure(name: string, nowMs: number, policy: SignInHoldPolicy): Promise<void> {
    // Names guessed long ago are forgotten, so a spray of made-up names cannot grow the table without end.
    await this.pool.query(`DELETE FROM ${this.failures} WHERE since_ms < $1 AND held_until_ms < $2`, [nowMs - policy.windowMs, nowMs]);
    // One statement: two processes counting the same name at once each add theirs (the row lock orders them).
    const within = `($2::bigint - f.since_ms <= $3::bigint)`;
    const count = `(CASE WHEN ${within} THEN f.failures ELSE 0 END + 1)`;
    await this.pool.query(
      `INSERT INTO ${this.failures} AS f (name, failures, since_ms, held_until_ms)
       VALUES ($1, CASE WHEN 1 >= $4::integer THEN 0 ELSE 1 END, $2::bigint, CASE WHEN 1 >= $4::integer THEN $2::bigint + $5::bigint ELSE 0 END)
       ON CONFLICT (name) DO UPDATE SET
         failures = CASE WHEN ${count} >= $4::integer THEN 0 ELSE ${count} END,
         since_ms = CASE WHEN ${count} >= $4::integer OR NOT ${within} THEN $2::bigint ELSE f.since_ms END,
         held_until_ms = CASE WHEN ${count} >= $4::integer THEN $2::bigint + $5::bigint WHEN ${within} THEN f.held_until_ms ELSE 0 END`,
      [name, nowMs, policy.windowMs, policy.failures, policy.holdMs],
    );
  }

  async signInHeldUntil(name: string): Promise<number> {
    const row = (await this.pool.query<{ held_until_ms: string }>(`SELECT held_until_ms FROM ${this.failures} WHERE name = $1`, [name])).rows[0];
    return row ? Number(row.held_until_ms) : 0;
  }

  async clearSignInFailures(name: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.failures} WHERE name = $1`, [name]);
  }

  private async one(sql: string, params: unknown[]): Promise<UserRecord | undefined> {
    const row = (await this.pool.query<UserRow>(sql, params)).rows[0];
    return row && toUser(row);
  }
}

function toUser(r: UserRow): UserRecord {
  return {
    name: r.name,
    role: r.role,
    ...(r.email !== null ? { email: r.email } : {}),
    ...(r.subject !== null ? { subject: r.subject } : {}),
    createdAt: r.created_at.toISOString(),
    hasPassword: r.password_hash !== null,
    ...(r.api_key_at !== null ? { apiKeyIssuedAt: r.api_key_at.toISOString() } : {}),
  };
}
