import type { Pool } from 'mysql2';
import type { LockWait } from '../shared/watch-lock-waits.ts';

interface Session {
  readonly ID: number;
  readonly USER: string;
  readonly HOST: string;
  readonly COMMAND: string;
  readonly TIME: number;
}

/**
 * The lock session `threadId` waits for, and who holds it. A row lock names
 * its holder (INNODB_LOCK_WAITS, INNODB_TRX). A table metadata lock (LOCK
 * TABLES, a running ALTER) names none unless the server has the
 * metadata_lock_info plugin; the other sessions on the same database are
 * then listed as the possible holders.
 */
export async function mysqlLockWaits(pool: Pool, threadId: number): Promise<LockWait[]> {
  const db = pool.promise();
  const [rowWaits] = await db.query(
    `SELECT lk.lock_table AS lockTable, lk.lock_mode AS mode, b.trx_mysql_thread_id AS blocker,
            TIMESTAMPDIFF(MICROSECOND, r.trx_wait_started, NOW(6)) / 1000 AS waitedMs
       FROM information_schema.INNODB_LOCK_WAITS w
       JOIN information_schema.INNODB_TRX r ON r.trx_id = w.requesting_trx_id
       JOIN information_schema.INNODB_TRX b ON b.trx_id = w.blocking_trx_id
       LEFT JOIN information_schema.INNODB_LOCKS lk ON lk.lock_id = w.blocking_lock_id
      WHERE r.trx_mysql_thread_id = ?`,
    [threadId],
  );
  const waits = rowWaits as { lockTable: string | null; mode: string | null; blocker: number; waitedMs: string }[];
  if (waits.length) {
    const holders = await sessions(pool, waits.map((w) => w.blocker));
    const first = waits[0]!;
    return [{ lock: `${first.mode ? `${first.mode} ` : ''}row lock on ${first.lockTable ?? 'the table'}`, blockers: holders, holderIds: waits.map((w) => w.blocker), waitedMs: Number(first.waitedMs) }];
  }
  const [mine] = await db.query('SELECT STATE AS state, TIME_MS AS ms, DB AS db FROM information_schema.PROCESSLIST WHERE ID = ?', [threadId]);
  const self = (mine as { state: string | null; ms: string; db: string | null }[])[0];
  if (!self?.state || !/metadata lock/i.test(self.state)) return [];
  const [others] = await db.query('SELECT ID FROM information_schema.PROCESSLIST WHERE ID <> ? AND ID <> CONNECTION_ID() AND DB <=> ? AND COMMAND <> ?', [threadId, self.db, 'Daemon']);
  const ids = (others as { ID: number }[]).map((o) => o.ID);
  const candidates = await sessions(pool, ids);
  return [
    { lock: `a table metadata lock (${self.state.toLowerCase()})`, blockers: candidates.length ? [`one of ${candidates.join('; ')}`] : [], holderIds: ids, waitedMs: Number(self.ms) },
  ];
}

async function sessions(pool: Pool, ids: readonly number[]): Promise<string[]> {
  if (!ids.length) return [];
  const [rows] = await pool.promise().query('SELECT ID, USER, HOST, COMMAND, TIME FROM information_schema.PROCESSLIST WHERE ID IN (?)', [ids]);
  return (rows as Session[]).map((s) => `session ${s.ID} (user ${s.USER}, from ${s.HOST}, ${s.COMMAND.toLowerCase()} for ${s.TIME} s)`);
}
