import type { Pool } from 'pg';
import { auditConditions, defaultAuditLimit, toAuditPage, type AuditEntry, type AuditLog, type AuditPage, type AuditQuery, type NewAuditEntry } from './audit-log.ts';

/** The audit table and the trigger that keeps it append-only (a PostgreSQL migration). */
export const postgresAuditMigration = (s: string): string => `
    CREATE TABLE ${s}.audit_log (
      seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      actor text NOT NULL,
      address text,
      action text NOT NULL,
      target text NOT NULL,
      detail jsonb NOT NULL
    );
    CREATE INDEX audit_log_at ON ${s}.audit_log (at);
    CREATE INDEX audit_log_actor ON ${s}.audit_log (actor, seq);
    CREATE INDEX audit_log_action ON ${s}.audit_log (action, seq);
    CREATE FUNCTION ${s}.audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the audit log is append-only: entries cannot be changed or deleted (%)', TG_OP;
      END;
    $$;
    CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON ${s}.audit_log
      FOR EACH ROW EXECUTE FUNCTION ${s}.audit_log_append_only();
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON ${s}.audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION ${s}.audit_log_append_only();`;

interface AuditRow {
  seq: string;
  at: Date;
  actor: string;
  address: string | null;
  action: string;
  target: string;
  detail: Record<string, unknown>;
}

/** The audit log in the PostgreSQL run store's schema. */
export class PostgresAuditLog implements AuditLog {
  private readonly table: string;

  /** `schema` is quoted already. */
  constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    this.table = `${schema}.audit_log`;
  }

  async append(entry: NewAuditEntry): Promise<AuditEntry> {
    const result = await this.pool.query<AuditRow>(
      `INSERT INTO ${this.table} (at, actor, address, action, target, detail) VALUES (coalesce($1::timestamptz, now()), $2, $3, $4, $5, $6) RETURNING *`,
      [entry.at ?? null, entry.actor, entry.address ?? null, entry.action, entry.target, JSON.stringify(entry.detail ?? {})],
    );
    return toEntry(result.rows[0]!);
  }

  async list(query: AuditQuery = {}): Promise<AuditPage> {
    const params: unknown[] = [];
    const where = auditConditions(query, (value) => (params.push(value), `$${params.length}`));
    const limit = query.limit ?? defaultAuditLimit;
    params.push(limit + 1);
    const result = await this.pool.query<AuditRow>(
      `SELECT * FROM ${this.table} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${params.length}`,
      params,
    );
    return toAuditPage(result.rows.map(toEntry), limit);
  }
}

function toEntry(r: AuditRow): AuditEntry {
  return {
    seq: Number(r.seq),
    at: r.at.toISOString(),
    actor: r.actor,
    ...(r.address !== null ? { address: r.address } : {}),
    action: r.action,
    target: r.target,
    detail: r.detail,
  };
}
