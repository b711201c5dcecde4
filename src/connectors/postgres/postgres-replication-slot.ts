import type { Client, ClientBase, ClientConfig } from 'pg';
import { ConnectorError } from '../../core/errors.ts';
import { quoteIdent } from '../../core/sql/quote.ts';
import { isValidSlotName } from '../../core/pipeline/cdc-settings.ts';
import type { PostgresCapturedTable } from './postgres-capture-tables.ts';
import { parseLsn, type Lsn } from './postgres-lsn.ts';

export interface ReplicationSlotStatus {
  readonly active: boolean;
  readonly confirmedFlush: Lsn | undefined;
  /** pg_current_wal_lsn() - confirmed_flush_lsn: the WAL the slot keeps on the server. */
  readonly lagBytes: bigint | undefined;
}

export async function slotStatus(client: ClientBase, slot: string): Promise<ReplicationSlotStatus | undefined> {
  const result = await client.query<{ active: boolean; confirmed: string | null; lag: string | null }>(
    `SELECT active, confirmed_flush_lsn::text AS confirmed, (pg_current_wal_lsn() - confirmed_flush_lsn)::text AS lag
       FROM pg_replication_slots WHERE slot_name = $1`,
    [slot],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  return {
    active: row.active,
    confirmedFlush: row.confirmed === null ? undefined : parseLsn(row.confirmed),
    lagBytes: row.lag === null ? undefined : BigInt(row.lag.replace(/\..*$/, '')),
  };
}

export async function currentWalLsn(client: ClientBase): Promise<Lsn> {
  const result = await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  return parseLsn(result.rows[0]!.lsn);
}

/**
 * Makes the publication list exactly the streamed tables. It must exist
 * before the slot: pgoutput reads it as of each change's time, and a
 * publication created later is invisible to older changes.
 */
export async function ensurePublication(client: ClientBase, publication: string, tables: readonly PostgresCapturedTable[]): Promise<void> {
  const list = tables.map((t) => t.sql).join(', ');
  const existing = await client.query<{ schemaname: string; tablename: string }>(
    'SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = $1',
    [publication],
  );
  const exists = (await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [publication])).rowCount! > 0;
  if (!exists) {
    await client.query(`CREATE PUBLICATION ${quoteIdent(publication)} FOR TABLE ${list}`);
    return;
  }
  const have = new Set(existing.rows.map((r) => `${r.schemaname}.${r.tablename}`));
  const same = have.size === tables.length && tables.every((t) => have.has(`${t.schema}.${t.name}`));
  if (!same) await client.query(`ALTER PUBLICATION ${quoteIdent(publication)} SET TABLE ${list}`);
}

/** A new slot and the snapshot it was created at, valid while `release` has not been called. */
export interface SlotSnapshot {
  /** The first position the slot streams: every change before it is in the snapshot. */
  readonly consistentPoint: Lsn;
  readonly snapshotName: string;
  release(): Promise<void>;
}

/**
 * Creates the slot on a replication connection with an exported snapshot. A
 * transaction that imports the snapshot sees exactly the changes before the
 * slot's first position, which is what makes the initial copy and the stream
 * meet without a gap or an overlap.
 */
export async function createSlotWithSnapshot(config: ClientConfig, slot: string): Promise<SlotSnapshot> {
  if (!isValidSlotName(slot)) throw new ConnectorError('cdc.bad_slot_name', `'${slot}' is not a valid replication slot name ([a-z0-9_], at most 63)`);
  const pg = await import('pg');
  const client: Client = new pg.Client({ ...config, replication: 'database' } as ClientConfig);
  client.on('error', () => undefined);
  await client.connect();
  try {
    const result = await client.query<{ consistent_point: string; snapshot_name: string }>(
      `CREATE_REPLICATION_SLOT "${slot}" LOGICAL pgoutput EXPORT_SNAPSHOT`,
    );
    const row = result.rows[0]!;
    return {
      consistentPoint: parseLsn(row.consistent_point),
      snapshotName: row.snapshot_name,
      release: () => client.end().catch(() => undefined),
    };
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

/**
 * Drops the slot, waiting a little for a walsender whose client just died
 * to notice; a slot still active after that belongs to a live run.
 */
export async function dropSlot(client: ClientBase, slot: string, waitMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const status = await slotStatus(client, slot);
    if (!status) return false;
    if (!status.active) {
      await client.query('SELECT pg_drop_replication_slot($1)', [slot]);
      return true;
    }
    if (Date.now() > deadline) {
      throw new ConnectorError('cdc.slot_active', `replication slot '${slot}' is in use by a running sync; stop it first`, { retryable: true });
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function dropPublication(client: ClientBase, publication: string): Promise<boolean> {
  const result = await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [publication]);
  if (result.rowCount === 0) return false;
  await client.query(`DROP PUBLICATION ${quoteIdent(publication)}`);
  return true;
}
