import type { Client, ClientConfig } from 'pg';
import type { CaptureNames, CaptureSession, ChangeStream, StreamChangesOptions } from '../../core/connectors/change-capture.ts';
import { ConnectorError } from '../../core/errors.ts';
import { connectError } from './postgres-errors.ts';
import { describeCapturedTables, type PostgresCapturedTable } from './postgres-capture-tables.ts';
import { readChanges } from './postgres-change-reader.ts';
import { formatLsn, parseLsn } from './postgres-lsn.ts';
import { createSlotWithSnapshot, currentWalLsn, dropPublication, dropSlot, ensurePublication, slotStatus } from './postgres-replication-slot.ts';
import { openReplicationStream, type ReplicationStream } from './postgres-replication-stream.ts';
import { openSnapshotReader } from './postgres-snapshot-reader.ts';

/**
 * A capture session: one catalog connection for describing tables and
 * managing the slot and publication, plus the replication and snapshot
 * connections each step opens for itself.
 */
export async function openPostgresCaptureSession(config: ClientConfig, where: { readonly connection: string; readonly server: string }, names: CaptureNames): Promise<CaptureSession> {
  const pg = await import('pg');
  const catalog: Client = new pg.Client(config);
  catalog.on('error', () => undefined);
  try {
    await catalog.connect();
  } catch (error) {
    await catalog.end().catch(() => undefined);
    throw connectError(error, where.connection, where.server);
  }
  const { connection } = where;
  // The engine hands back the tables this session described; their catalog details (type OIDs, quoted names) stay here.
  const described = new Map<string, PostgresCapturedTable>();
  const own = (label: string): PostgresCapturedTable => described.get(label)!;

  return {
    async describe(tables) {
      const found = await describeCapturedTables(catalog, tables, connection);
      for (const t of found) described.set(t.label, t);
      return found;
    },
    publish: (tables) => ensurePublication(catalog, names.publication, tables.map((t) => own(t.label))),
    async slot() {
      const status = await slotStatus(catalog, names.slot);
      return status && { active: status.active, confirmed: status.confirmedFlush === undefined ? undefined : formatLsn(status.confirmedFlush), lagBytes: status.lagBytes };
    },
    currentPosition: async () => formatLsn(await currentWalLsn(catalog)),
    async snapshot() {
      const created = await createSlotWithSnapshot(config, names.slot);
      try {
        const reader = await openSnapshotReader(config, created.snapshotName);
        return {
          position: formatLsn(created.consistentPoint),
          rows: (table) => reader.rows(own(table.label)),
          close: () => reader.close().finally(() => created.release()),
        };
      } catch (error) {
        await created.release();
        throw error;
      }
    },
    stream: (tables, options) => streamChanges(config, connection, names, tables.map((t) => own(t.label)), options),
    dropSlot: () => dropSlot(catalog, names.slot),
    dropPublication: () => dropPublication(catalog, names.publication),
    close: () => catalog.end().catch(() => undefined),
  };
}

async function streamChanges(
  config: ClientConfig,
  connection: string,
  names: CaptureNames,
  tables: readonly PostgresCapturedTable[],
  options: StreamChangesOptions,
): Promise<ChangeStream> {
  const after = parseLsn(options.after);
  const stream = await openStream(config, connection, names, after, options.signal);
  const onAbort = (): void => void stream.close();
  options.signal.addEventListener('abort', onAbort, { once: true });
  // Keepalives on request tell the reader how far the server has read, which is how a run without `follow` knows it caught up.
  const pinger = setInterval(() => stream.ping(), 1000);
  stream.ping();
  const until = options.until === undefined ? undefined : parseLsn(options.until);
  return {
    events: readChanges(stream, tables, { after, until, batchSize: options.batchSize, signal: options.signal }),
    confirm: (position) => stream.confirm(parseLsn(position)),
    async close() {
      clearInterval(pinger);
      options.signal.removeEventListener('abort', onAbort);
      await stream.close();
    },
  };
}

/** A killed run's walsender can hold the slot for a moment after its client is gone; wait for it rather than fail. */
async function openStream(config: ClientConfig, connection: string, names: CaptureNames, from: bigint, signal: AbortSignal): Promise<ReplicationStream> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return await openReplicationStream(config, { slot: names.slot, publication: names.publication, from, startText: formatLsn(from) });
    } catch (error) {
      const inUse = (error as { code?: string }).code === '55006';
      if (!inUse || Date.now() > deadline || signal.aborted) {
        throw new ConnectorError('cdc.stream_failed', `cannot stream from slot '${names.slot}' on connection '${connection}': ${(error as Error).message}`, {
          cause: error,
          retryable: inUse,
        });
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
