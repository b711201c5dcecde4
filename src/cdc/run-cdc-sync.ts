import type { Client, ClientConfig } from 'pg';
import { ConnectorError } from '../core/errors.ts';
import type { Logger } from '../core/run/logger.ts';
import type { SyncContext, SyncDestination } from '../core/connectors/sync-destination.ts';
import { readCdcPosition, type CdcPosition, type CdcTarget } from './cdc-position.ts';
import { readChanges } from './change-reader.ts';
import { ChangeStager } from './change-stager.ts';
import { loadSnapshot } from './load-snapshot.ts';
import { formatLsn, type Lsn } from './lsn.ts';
import { openReplicationStream, type ReplicationStream } from './replication-stream.ts';
import { createSlotWithSnapshot, currentWalLsn, dropSlot, ensurePublication, slotStatus } from './replication-slot.ts';
import { openSnapshotReader } from './snapshot-reader.ts';
import { describeSourceTables } from './source-tables.ts';
import { requireChangeSupport, type ChangeDestination } from './require-change-support.ts';
import { stageChangeBatch } from './stage-change-batch.ts';

/** One CDC sync, parsed and resolved: a PostgreSQL source, its tables, and where they land. */
export interface CdcSyncSpec {
  readonly pipeline: string;
  /** The source connection's name, for messages. */
  readonly sourceName: string;
  readonly source: ClientConfig;
  readonly streams: readonly { readonly stream: string; readonly schema: string; readonly table: string; readonly destinationTable: string }[];
  readonly slot: string;
  readonly publication: string;
  /** Source row changes per destination transaction (whole source transactions are never split). */
  readonly batchSize: number;
  /** Keep streaming after catching up, until the run is cancelled. */
  readonly follow: boolean;
}

export interface CdcSyncResult {
  readonly snapshotRows: number | undefined;
  readonly changes: number;
  readonly transactions: number;
  readonly batches: number;
  readonly position: CdcPosition;
  /** WAL the slot still holds after the run, in bytes. */
  readonly lagBytes: bigint | undefined;
}

/**
 * Runs one CDC sync: the first run copies the tables from the slot's
 * snapshot; every run then applies the changes committed since the
 * destination's position, up to the WAL position at its start (or forever
 * with `follow`). Each batch commits with its position in the destination
 * before the slot is told, so a crash at any point replays at most the
 * uncommitted batch, which the position then filters out.
 */
export async function runCdcSync(spec: CdcSyncSpec, syncDestination: SyncDestination, context: SyncContext): Promise<CdcSyncResult> {
  const { logger, signal } = context;
  const destination = requireChangeSupport(syncDestination);
  await destination.prepare(context);
  const stager = new ChangeStager(context);
  const pg = await import('pg');
  const catalog: Client = new pg.Client({ ...spec.source, application_name: 'sluice-cdc' });
  catalog.on('error', () => undefined);
  await catalog.connect();
  try {
    const tables = await describeSourceTables(catalog, spec.streams.map((s) => ({ schema: s.schema, name: s.table })), spec.sourceName);
    const targets: CdcTarget[] = tables.map((source, i) => ({ stream: spec.streams[i]!.stream, source, table: spec.streams[i]!.destinationTable }));
    const labels = tables.map((t) => t.label).sort();
    await ensurePublication(catalog, spec.publication, tables);

    // A stream without state (new, or reset) has no rows to continue from: every stream starts again from one snapshot.
    let position = await readCdcPosition(destination, spec.pipeline, targets.map((t) => t.stream));
    let snapshotRows: number | undefined;
    if (position) checkColumns(spec, targets, position);
    const slot = await slotStatus(catalog, spec.slot);
    if (position && !slot) {
      throw new ConnectorError(
        'cdc.slot_missing',
        `replication slot '${spec.slot}' is gone from connection '${spec.sourceName}', so changes since ${formatLsn(position.lsn)} are lost; run 'sluice state reset ${spec.pipeline}' to start over from a new snapshot`,
      );
    }
    if (!position) {
      // A slot without a committed snapshot is left from an interrupted first run: its snapshot is gone with it.
      if (slot) await dropSlot(catalog, spec.slot);
      ({ position, rows: snapshotRows } = await snapshot(spec, targets, labels, destination, stager, context));
    }

    const until = spec.follow ? undefined : await currentWalLsn(catalog);
    logger.info(`streaming changes after ${formatLsn(position.lsn)}${until === undefined ? ' (following)' : ` up to ${formatLsn(until)}`} from slot '${spec.slot}'`);
    const stream = await openStream(spec, position.lsn, signal);
    const onAbort = (): void => void stream.close();
    signal.addEventListener('abort', onAbort, { once: true });
    const pinger = setInterval(() => stream.ping(), 1000);
    stream.ping();
    let changes = 0;
    let transactions = 0;
    let batches = 0;
    try {
      for await (const event of readChanges(stream, tables, { after: position.lsn, until, batchSize: spec.batchSize, signal })) {
        if (event.type === 'idle') {
          stream.confirm(event.walEnd);
          continue;
        }
        const { batch } = event;
        const started = Date.now();
        const next: CdcPosition = { lsn: batch.endLsn, sourceCommitTime: batch.commitTime, appliedAt: new Date() };
        try {
          await destination.applyChanges({ pipeline: spec.pipeline, tables: await stageChangeBatch(batch, targets, next, stager) }, context);
        } finally {
          await stager.clear();
        }
        // Only a committed batch may release its WAL: the slot must be able to replay anything the destination lacks.
        stream.confirm(batch.endLsn);
        position = next;
        changes += batch.changes;
        transactions += batch.transactions;
        batches++;
        logger.info(
          `applied ${batch.changes} change${batch.changes === 1 ? '' : 's'} (${batch.transactions} transaction${batch.transactions === 1 ? '' : 's'}) up to ${formatLsn(batch.endLsn)} in ${Date.now() - started} ms`,
        );
      }
    } finally {
      clearInterval(pinger);
      signal.removeEventListener('abort', onAbort);
      await stream.close();
    }
    const after = await slotStatus(catalog, spec.slot);
    logger.info(
      `position ${formatLsn(position.lsn)}${position.sourceCommitTime ? ` (source commit ${position.sourceCommitTime.toISOString()})` : ''}; slot lag ${after?.lagBytes ?? '?'} bytes`,
    );
    return { snapshotRows, changes, transactions, batches, position, lagBytes: after?.lagBytes };
  } finally {
    await catalog.end().catch(() => undefined);
  }
}

/** A table whose columns changed since its destination table was made cannot take the stream's rows. */
function checkColumns(spec: CdcSyncSpec, targets: readonly CdcTarget[], position: CdcPosition): void {
  for (const target of targets) {
    const before = position.columns?.[target.stream];
    if (!before) continue;
    const now = target.source.columns.map((c) => c.name);
    const added = now.filter((c) => !before.includes(c));
    const dropped = before.filter((c) => !now.includes(c));
    if (!added.length && !dropped.length) continue;
    const what = [added.length ? `gained ${added.join(', ')}` : '', dropped.length ? `lost ${dropped.join(', ')}` : ''].filter(Boolean).join(' and ');
    throw new ConnectorError(
      'cdc.schema_changed',
      `table ${target.source.label} ${what} at the source; CDC does not change destination tables yet: run 'sluice state reset ${spec.pipeline}' to start over from a new snapshot`,
    );
  }
}

async function snapshot(
  spec: CdcSyncSpec,
  targets: readonly CdcTarget[],
  labels: readonly string[],
  destination: ChangeDestination,
  stager: ChangeStager,
  context: SyncContext,
): Promise<{ position: CdcPosition; rows: number }> {
  const logger: Logger = context.logger;
  const created = await createSlotWithSnapshot(spec.source, spec.slot);
  logger.info(`created replication slot '${spec.slot}' at ${formatLsn(created.consistentPoint)}; copying ${labels.join(', ')} from its snapshot`);
  try {
    const reader = await openSnapshotReader(spec.source, created.snapshotName);
    try {
      const position: CdcPosition = { lsn: created.consistentPoint, sourceCommitTime: undefined, appliedAt: new Date() };
      const rows = await loadSnapshot(destination, spec.pipeline, targets, (t) => reader.rows(t), position, stager, context).finally(() => stager.clear());
      logger.info(`snapshot: ${rows} row${rows === 1 ? '' : 's'} into connection '${destination.name}'`);
      return { position, rows };
    } finally {
      await reader.close();
    }
  } finally {
    await created.release();
  }
}

/** A killed run's walsender can hold the slot for a moment after its client is gone; wait for it rather than fail. */
async function openStream(spec: CdcSyncSpec, from: Lsn, signal: AbortSignal): Promise<ReplicationStream> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return await openReplicationStream(spec.source, { slot: spec.slot, publication: spec.publication, from, startText: formatLsn(from) });
    } catch (error) {
      const inUse = (error as { code?: string }).code === '55006';
      if (!inUse || Date.now() > deadline || signal.aborted) {
        throw new ConnectorError('cdc.stream_failed', `cannot stream from slot '${spec.slot}' on connection '${spec.sourceName}': ${(error as Error).message}`, {
          cause: error,
          retryable: inUse,
        });
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
