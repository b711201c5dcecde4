import type { Pool } from 'pg';
import type { LockWait } from '../shared/watch-lock-waits.ts';

interface WaitRow {
  readonly locktype: string;
  readonly mode: string;
  readonly relation: string | null;
  readonly waited_ms: number;
  readonly pid: number;
  readonly usename: string | null;
  readonly application_name: string | null;
  readonly client: string | null;
  readonly state: string | null;
  readonly state_seconds: number | null;
}

/** The locks sessions `pids` wait for, and the sessions holding them (pg_locks, pg_blocking_pids, pg_stat_activity). */
export async function postgresLockWaits(pool: Pool, pids: readonly number[]): Promise<LockWait[]> {
  const { rows } = await pool.query<WaitRow>(
    `SELECT l.locktype, l.mode, (SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = l.relation) AS relation,
            (extract(epoch FROM now() - l.waitstart) * 1000)::float8 AS waited_ms,
            b.pid, b.usename, b.application_name, host(b.client_addr) AS client, b.state,
            extract(epoch FROM now() - b.state_change)::int AS state_seconds
       FROM pg_locks l
       CROSS JOIN LATERAL unnest(pg_blocking_pids(l.pid)) AS blocking(pid)
       JOIN pg_stat_activity b ON b.pid = blocking.pid
      WHERE l.pid = ANY($1::int[]) AND NOT l.granted AND l.waitstart IS NOT NULL`,
    [pids],
  );
  const waits = new Map<string, { lock: string; blockers: string[]; holderIds: number[]; waitedMs: number }>();
  for (const row of rows) {
    const lock = row.relation ? `${row.mode} on table ${row.relation}` : `${row.mode} (${row.locktype} lock)`;
    const wait = waits.get(lock) ?? { lock, blockers: [], holderIds: [], waitedMs: Number(row.waited_ms) };
    wait.holderIds.push(row.pid);
    const parts = [`user ${row.usename ?? '?'}`, `application '${row.application_name ?? ''}'`, row.client ? `from ${row.client}` : 'local'];
    if (row.state) parts.push(`${row.state}${row.state_seconds !== null ? ` for ${row.state_seconds} s` : ''}`);
    wait.blockers.push(`session ${row.pid} (${parts.join(', ')})`);
    waits.set(lock, wait);
  }
  return [...waits.values()];
}
