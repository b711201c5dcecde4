import type Database from 'better-sqlite3';
import { ConfigError } from '../errors.ts';
import type { NewUserRecord, Role, SessionRecord, SignInHoldPolicy, UserRecord, UserStore } from './user-store.ts';

/** Users, their sessions and API keys (a SQLite migration). Removing a user cascades to the rest. */
export const sqliteUsersMigration = `CREATE TABLE users (
     name TEXT PRIMARY KEY,
     role TEXT NOT NULL,
     password_hash TEXT,
     email TEXT,
     subject TEXT UNIQUE,
     api_key_hash TEXT UNIQUE,
     api_key_at TEXT,
     created_at TEXT NOT NULL
   );
   CREATE TABLE user_sessions (
     id_hash TEXT PRIMARY KEY,
     user_name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
     created_at TEXT NOT NULL,
     last_seen_at TEXT NOT NULL
   );
   CREATE INDEX user_sessions_user ON user_sessions (user_name);`;

/** Wrong passwords per name, shared by every process on the file (a SQLite migration); times are epoch ms. */
export const sqliteSignInFailuresMigration = `CREATE TABLE sign_in_failures (
     name TEXT PRIMARY KEY,
     failures INTEGER NOT NULL,
     since_ms INTEGER NOT NULL,
     held_until_ms INTEGER NOT NULL
   );
   CREATE INDEX sign_in_failures_since ON sign_in_failures (since_ms);`;

interface UserRow {
  name: string;
  role: Role;
  email: string | null;
  subject: string | null;
  password_hash: string | null;
  api_key_at: string | null;
  created_at: string;
}

interface SessionRow {
  id_hash: string;
  user_name: string;
  created_at: string;
  last_seen_at: string;
}

/** The users part of the embedded run store. */
export class SqliteUserStore implements UserStore {
  constructor(private readonly db: Database.Database) {}

  async addUser(user: NewUserRecord): Promise<UserRecord> {
    try {
      const row = this.db
        .prepare(`INSERT INTO users (name, role, password_hash, email, subject, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *`)
        .get(user.name, user.role, user.passwordHash ?? null, user.email ?? null, user.subject ?? null, new Date().toISOString()) as UserRow;
      return toUser(row);
    } catch (error) {
      if ((error as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) throw new ConfigError('user.exists', `a user named '${user.name}' (or with that identity) exists already`);
      throw error;
    }
  }

  async getUser(name: string): Promise<UserRecord | undefined> {
    return this.one(`SELECT * FROM users WHERE name = ?`, name);
  }

  async findUserBySubject(subject: string): Promise<UserRecord | undefined> {
    return this.one(`SELECT * FROM users WHERE subject = ?`, subject);
  }

  async findUserByApiKey(keyHash: string): Promise<UserRecord | undefined> {
    return this.one(`SELECT * FROM users WHERE api_key_hash = ?`, keyHash);
  }

  async passwordHash(name: string): Promise<string | undefined> {
    const row = this.db.prepare(`SELECT password_hash FROM users WHERE name = ?`).get(name) as { password_hash: string | null } | undefined;
    return row?.password_hash ?? undefined;
  }

  async listUsers(): Promise<UserRecord[]> {
    return (this.db.prepare(`SELECT * FROM users ORDER BY name`).all() as UserRow[]).map(toUser);
  }

  async countUsers(): Promise<number> {
    return (this.db.prepare(`SELECT count(*) AS n FROM users`).get() as { n: number }).n;
  }

  async setRole(name: string, role: Role): Promise<UserRecord | undefined> {
    return this.one(`UPDATE users SET role = ? WHERE name = ? RETURNING *`, role, name);
  }

  async setPassword(name: string, passwordHash: string): Promise<boolean> {
    return this.db.prepare(`UPDATE users SET password_hash = ? WHERE name = ?`).run(passwordHash, name).changes > 0;
  }

  async removeUser(name: string): Promise<boolean> {
    return this.db.prepare(`DELETE FROM users WHERE name = ?`).run(name).changes > 0;
  }

  async createSession(session: SessionRecord): Promise<void> {
    this.db.prepare(`INSERT INTO user_sessions (id_hash, user_name, created_at, last_seen_at) VALUES (?, ?, ?, ?)`).run(session.idHash, session.user, session.createdAt, session.lastSeenAt);
  }

  async getSession(idHash: string): Promise<SessionRecord | undefined> {
    const row = this.db.prepare(`SELECT * FROM user_sessions WHERE id_hash = ?`).get(idHash) as SessionRow | undefined;
    return row && { idHash: row.id_hash, user: row.user_name, createdAt: row.created_at, lastSeenAt: row.last_seen_at };
  }

  async touchSession(idHash: string, at: string): Promise<void> {
    this.db.prepare(`UPDATE user_sessions SET last_seen_at = ? WHERE id_hash = ? AND last_seen_at < ?`).run(at, idHash, at);
  }

  async endSession(idHash: string): Promise<boolean> {
    return this.db.prepare(`DELETE FROM user_sessions WHERE id_hash = ?`).run(idHash).changes > 0;
  }

  async endUserSessions(name: string): Promise<number> {
    return this.db.prepare(`DELETE FROM user_sessions WHERE user_name = ?`).run(name).changes;
  }

  async setApiKey(name: string, keyHash: string, at: string): Promise<boolean> {
    return this.db.prepare(`UPDATE users SET api_key_hash = ?, api_key_at = ? WHERE name = ?`).run(keyHash, at, name).changes > 0;
  }

  async revokeApiKey(name: string): Promise<boolean> {
    return this.db.prepare(`UPDATE users SET api_key_hash = NULL, api_key_at = NULL WHERE name = ? AND api_key_hash IS NOT NULL`).run(name).changes > 0;
  }

  async noteSignInFailure(name: string, nowMs: number, policy: SignInHoldPolicy): Promise<void> {
    // Names guessed long ago are forgotten, so a spray of made-up names cannot grow the table without end.
    this.db.prepare(`DELETE FROM sign_in_failures WHERE since_ms < ? AND held_until_ms < ?`).run(nowMs - policy.windowMs, nowMs);
    // One statement, so processes sharing the file count each failure once (SQLite serialises writes).
    const within = `(@now - sign_in_failures.since_ms <= @window)`;
    const count = `(CASE WHEN ${within} THEN sign_in_failures.failures ELSE 0 END + 1)`;
    this.db
      .prepare(
        `INSERT INTO sign_in_failures (name, failures, since_ms, held_until_ms)
         VALUES (@name, CASE WHEN 1 >= @max THEN 0 ELSE 1 END, @now, CASE WHEN 1 >= @max THEN @now + @hold ELSE 0 END)
         ON CONFLICT (name) DO UPDATE SET
           failures = CASE WHEN ${count} >= @max THEN 0 ELSE ${count} END,
           since_ms = CASE WHEN ${count} >= @max OR NOT ${within} THEN @now ELSE sign_in_failures.since_ms END,
           held_until_ms = CASE WHEN ${count} >= @max THEN @now + @hold WHEN ${within} THEN sign_in_failures.held_until_ms ELSE 0 END`,
      )
      .run({ name, now: nowMs, window: policy.windowMs, max: policy.failures, hold: policy.holdMs });
  }

  async signInHeldUntil(name: string): Promise<number> {
    const row = this.db.prepare(`SELECT held_until_ms FROM sign_in_failures WHERE name = ?`).get(name) as { held_until_ms: number } | undefined;
    return row?.held_until_ms ?? 0;
  }

  async clearSignInFailures(name: string): Promise<void> {
    this.db.prepare(`DELETE FROM sign_in_failures WHERE name = ?`).run(name);
  }

  private one(sql: string, ...params: unknown[]): UserRecord | undefined {
    const row = this.db.prepare(sql).get(...params) as UserRow | undefined;
    return row && toUser(row);
  }
}

function toUser(r: UserRow): UserRecord {
  return {
    name: r.name,
    role: r.role,
    ...(r.email !== null ? { email: r.email } : {}),
    ...(r.subject !== null ? { subject: r.subject } : {}),
    createdAt: r.created_at,
    hasPassword: r.password_hash !== null,
    ...(r.api_key_at !== null ? { apiKeyIssuedAt: r.api_key_at } : {}),
  };
}
