import type { CaptureSession, ChangeBatch, ChangeSource } from '../core/connectors/change-capture.ts';
import { ConnectorError } from '../core/errors.ts';
import type { Logger } from '../core/run/logger.ts';
import type { SchemaChange } from '../core/connectors/apply-schema-contract.ts';
import type { SyncContext, SyncDestination } from '../core/connectors/sync-destination.ts';
import type { SchemaContract } from '../core/pipeline/integration-schema.ts';
import type { StreamDrift } from '../core/quality/judge-stream-drift.ts';
import type { ResolvedStreamDrift } from '../core/quality/drift-settings.ts';
import { readCdcPosition, type CdcPosition, type CdcTarget } from './cdc-position.ts';
import { ChangeStager, type StagedInput } from './change-stager.ts';
import { loadSnapshot } from './load-snapshot.ts';
import { requireChangeSupport, type ChangeDestination } from './require-change-support.ts';
import { stageChangeBatch } from './stage-change-batch.ts';
import type { ChangeFitScope } from './fit-change-rows.ts';

/** One CDC sync, parsed and resolved: a change source, its tables, and where they land. */
export interface CdcSyncSpec {
  readonly pipeline: string;
  /** The source connection, as its connector offers it to change capture. */
  readonly source: ChangeSource;
  readonly streams: readonly {
    readonly stream: string;
    readonly schema: string;
    readonly table: string;
    readonly destinationTable: string;
    /** What a change of the source table's columns does: as an integration stream's `schema_contract` (default `evolve`). */
    readonly contract?: SchemaContract | undefined;
    /** What drift in the stream's values does (default: as the contract, see `resolveStreamDrift`). */
    readonly drift?: ResolvedStreamDrift | undefined;
  }[];
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
  /** Rows set aside in the streams' rejects tables. */
  readonly rejected: number;
  readonly position: CdcPosition;
  /** Log the slot still holds on the source after the run, in bytes. */
  readonly lagBytes: bigint | undefined;
}

/** What a run gives a CDC sync beyond the destination: each stream's drift judgement, and a record of the schema changes it makes. */
export interface CdcSyncOptions {
  readonly drift?: ((stream: string, destinationTable: string) => StreamDrift | undefined) | undefined;
  readonly schemaChanged?: ((stream: string, table: string, change: SchemaChange) => Promise<void>) | undefined;
}

/**
 * Runs one CDC sync: the first run copies the tables from the slot's
 * snapshot; every run then applies the changes committed since the
 * destination's position, up to the source's position at its start (or
 * forever with `follow`). Each batch commits with its position in the
 * destination before the slot is told, so a crash at any point replays at
 * most the uncommitted batch, which the position then filters out.
 * Before a batch is written, each stream's inserted and updated rows are
 * judged for drift and fitted to the destination table under the stream's
 * schema contract, so a column added at the source mid-stream is added,
 * refused or set aside as an integration stream's would be.
 */
export async function runCdcSync(spec: CdcSyncSpec, syncDestination: SyncDestination, context: SyncContext, options: CdcSyncOptions = {}): Promise<CdcSyncResult> {
  const { logger, signal } = context;
  const destination = requireChangeSupport(syncDestination);
  await destination.prepare(context);
  const stager = new ChangeStager(context);
  const source = await spec.source.open({ slot: spec.slot, publication: spec.publication });
  try {
    const tables = await source.describe(spec.streams.map((s) => ({ schema: s.schema, name: s.table })));
    let targets: CdcTarget[] = tables.map((table, i) => ({ stream: spec.streams[i]!.stream, source: table, table: spec.streams[i]!.destinationTable }));
    await source.publish(tables);

    // A stream without state (new, or reset) has no rows to continue from: every stream starts again from one snapshot.
    let position = await readCdcPosition(destination, spec.pipeline, targets.map((t) => t.stream), spec.source.compare);
    let snapshotRows: number | undefined;
    const drifts = new Map(spec.streams.map((s) => [s.stream, options.drift?.(s.stream, s.destinationTable)]));
    const slot = await source.slot();
    if (position && !slot) {
      throw new ConnectorError(
        'cdc.slot_missing',
        `replication slot '${spec.slot}' is gone from connection '${spec.source.connection}', so changes since ${position.position} are lost; run 'sluice state reset ${spec.pipeline}' to start over from a new snapshot`,
      );
    }
    if (!position) {
      // A slot without a committed snapshot is left from an interrupted first run: its snapshot is gone with it.
      if (slot) await source.dropSlot();
      ({ position, rows: snapshotRows } = await snapshot(spec, source, targets, destination, stager, context, drifts));
    }

    const until = spec.follow ? undefined : await source.currentPosition();
    logger.info(`streaming changes after ${position.position}${until === undefined ? ' (following)' : ` up to ${until}`} from slot '${spec.slot}'`);
    const stream = await source.stream(tables, { after: position.position, until, batchSize: spec.batchSize, signal });
    let changes = 0;
    let transactions = 0;
    let batches = 0;
    let rejected = 0;
    const scopes = (): Map<string, ChangeFitScope> =>
      new Map(
        spec.streams.map((s, i) => [
          s.stream,
          {
            destination,
            pipeline: spec.pipeline,
            stream: s.stream,
            table: { name: s.destinationTable },
            key: targets[i]!.source.key,
            contract: s.contract ?? 'evolve',
            drift: drifts.get(s.stream),
            stager,
            context,
            schemaChanged: options.schemaChanged && ((change: SchemaChange) => options.schemaChanged!(s.stream, s.destinationTable, change)),
          },
        ]),
      );
    try {
      for await (const event of stream.events) {
        if (event.type === 'idle') {
          stream.confirm(event.position);
          continue;
        }
        const { batch } = event;
        const started = Date.now();
        if (batch.columns) targets = reshape(targets, batch.columns);
        const next: CdcPosition = { position: batch.position, sourceCommitTime: batch.commitTime, appliedAt: new Date() };
        try {
          const staged = await stageChangeBatch(batch, targets, next, stager, scopes());
          await destination.applyChanges({ pipeline: spec.pipeline, tables: staged.tables }, context);
          await staged.committed();
          rejected += staged.rejected;
        } finally {
          await stager.clear();
        }
        // Only a committed batch may release its log: the slot must be able to replay anything the destination lacks.
        stream.confirm(batch.position);
        position = next;
        changes += batch.changes;
        transactions += batch.transactions;
        batches++;
        logger.info(
          `applied ${batch.changes} change${batch.changes === 1 ? '' : 's'} (${batch.transactions} transaction${batch.transactions === 1 ? '' : 's'}) up to ${batch.position} in ${Date.now() - started} ms`,
        );
      }
    } finally {
      await stream.close();
    }
    const after = await source.slot();
    logger.info(
      `position ${position.position}${position.sourceCommitTime ? ` (source commit ${position.sourceCommitTime.toISOString()})` : ''}; slot lag ${after?.lagBytes ?? '?'} bytes`,
    );
    return { snapshotRows, changes, transactions, batches, rejected, position, lagBytes: after?.lagBytes };
  } finally {
    await source.close();
  }
}

/** The targets with the columns their source tables have now; the schema contracts judge the rows that carry them. */
function reshape(targets: readonly CdcTarget[], columns: NonNullable<ChangeBatch['columns']>): CdcTarget[] {
  return targets.map((t) => {
    const now = columns.get(t.source.label);
    return now ? { ...t, source: { ...t.source, columns: now } } : t;
  });
}

async function snapshot(
  spec: CdcSyncSpec,
  source: CaptureSession,
  targets: readonly CdcTarget[],
  destination: ChangeDestination,
  stager: ChangeStager,
  context: SyncContext,
  drifts: ReadonlyMap<string, StreamDrift | undefined>,
): Promise<{ position: CdcPosition; rows: number }> {
  const logger: Logger = context.logger;
  const labels = targets.map((t) => t.source.label).sort();
  const taken = await source.snapshot();
  logger.info(`created replication slot '${spec.slot}' at ${taken.position}; copying ${labels.join(', ')} from its snapshot`);
  try {
    const position: CdcPosition = { position: taken.position, sourceCommitTime: undefined, appliedAt: new Date() };
    // A snapshot replaces the tables' rows: it is each stream's baseline, against which the changes after it are judged.
    const rebase = async (target: CdcTarget, staged: StagedInput): Promise<void> => drifts.get(target.stream)?.rebase(staged.stored);
    const rows = await loadSnapshot(destination, spec.pipeline, targets, (t) => taken.rows(t.source), position, stager, context, rebase).finally(() => stager.clear());
    logger.info(`snapshot: ${rows} row${rows === 1 ? '' : 's'} into connection '${destination.name}'`);
    return { position, rows };
  } finally {
    await taken.close();
  }
}
