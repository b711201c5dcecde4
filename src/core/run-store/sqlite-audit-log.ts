import type Database from 'better-sqlite3';
import { toInstant } from './instant.ts';
import { auditConditions, defaultAuditLimit, toAuditPage, type AuditEntry, type AuditLog, type AuditPage, type AuditQuery, type NewAuditEntry } from './audit-log.ts';

/** The audit table and the triggers that keep it append-only (a SQLite migration). */
export const sqliteAuditMigration = `CREATE TABLE audit_log (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     at TEXT NOT NULL,
     actor TEXT NOT NULL,
     address TEXT,
     action TEXT NOT NULL,
     target TEXT NOT NULL,
     detail TEXT NOT NULL
   );
   CREATE INDEX audit_log_at ON audit_log (at);
   CREATE INDEX audit_log_actor ON audit_log (actor, seq);
   CREATE INDEX audit_log_action ON audit_log (action, seq);
   CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
     BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: entries cannot be changed'); END;
   CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
     BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: entries cannot be deleted'); END;`;

interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  address: string | null;
  action: string;
  target: string;
  detail: string;
}

/** The audit log in the embedded run store's SQLite file. */
export class SqliteAuditLog implements AuditLog {
  constructor(private readonly db: Database.Database) {}

  async append(entry: NewAuditEntry): Promise<AuditEntry> {
    const row = this.db
      .prepare(`INSERT INTO audit_log (at, actor, address, action, target, detail) VALUES (?, ?, ?, ?, ?, ?) RETURNING *`)
      .get(entry.at ? toInstant(entry.at, 'at') : new Date().toISOString(), entry.actor, entry.address ?? null, entry.action, entry.target, JSON.stringify(entry.detail ?? {})) as AuditRow;
    return toEntry(row);
  }

  async list(query: AuditQuery = {}): Promise<AuditPage> {
    const params: unknown[] = [];
    const where = auditConditions(query, (value) => (params.push(value), '?'));
    const limit = query.limit ?? defaultAuditLimit;
    const rows = this.db
      .prepare(`SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`)
      .all(...params, limit + 1) as AuditRow[];
    return toAuditPage(rows.map(toEntry), limit);
  }
}

function toEntry(r: AuditRow): AuditEntry {
  return {
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    ...(r.address !== null ? { address: r.address } : {}),
    action: r.action,
    target: r.target,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
  };
}
