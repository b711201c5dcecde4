import path from 'node:path';
import type { SyncBlock } from '../core/pipeline/pipeline.ts';
import type { BlockResult, BlockRunContext } from '../core/run/block-runner.ts';
import { cdcStreams, cdcSyncSpec } from './cdc-pipeline.ts';
import { openSyncDestination } from '../core/connectors/open-sync-destination.ts';
import { runCdcSync, type CdcSyncOptions, type CdcSyncSpec } from './run-cdc-sync.ts';
import { rejectsTable, type SchemaChange } from '../core/connectors/apply-schema-contract.ts';
import { describeDrift } from '../core/quality/drift-evidence.ts';
import { createStreamDrift, type StreamDrift } from '../core/quality/judge-stream-drift.ts';
import { resolveStreamDrift } from '../core/quality/drift-settings.ts';

/**
 * Runs a pipeline's CDC as the block of its first `mode: cdc` stream; the
 * blocks of its other cdc streams report that their changes came with it,
 * since one slot delivers every table's changes together.
 */
export async function runCdcBlock(block: SyncBlock, context: BlockRunContext): Promise<BlockResult> {
  const streams = cdcStreams(context.pipeline);
  if (streams[0]?.stream !== block.name) {
    return { rowsIn: 0, summary: `changes applied with stream '${streams[0]?.stream}', which shares its replication slot` };
  }
  const { spec, destination: destinationName } = cdcSyncSpec(context.project, context.connectors, context.pipeline);
  const destination = await openSyncDestination(context.project, context.connectors, destinationName, context.session, 'changes');
  const { options, drifts } = cdcSyncOptions(context, spec);
  try {
    const result = await runCdcSync(spec, destination, { session: context.session, logger: context.logger, signal: context.signal, tempDir: context.tempDir }, options);
    const state = { mode: 'cdc', position: result.position.position, source_commit_time: result.position.sourceCommitTime?.toISOString() ?? null };
    for (const stream of spec.streams) {
      // The destination holds the truth; the run store's copy is for `sluice state show` and the UI.
      await context.store?.putSyncState({ pipeline: spec.pipeline, stream: stream.stream, state, updatedAt: new Date().toISOString() }).catch(() => undefined);
    }
    const snapshot = result.snapshotRows === undefined ? '' : `snapshot of ${result.snapshotRows} rows, then `;
    const rejected = result.rejected ? `; ${result.rejected} row(s) rejected` : '';
    const events = drifts.flatMap((d) => d.events);
    const drifted = events.length ? `; ${describeDrift(events)}` : '';
    return {
      rowsIn: (result.snapshotRows ?? 0) + result.changes,
      summary: `${snapshot}${result.changes} changes in ${result.transactions} transactions into '${destinationName}'; position ${result.position.position}, slot lag ${result.lagBytes ?? '?'} bytes${rejected}${drifted}`,
    };
  } finally {
    await destination.close();
  }
}

/** Per stream, a drift judgement kept in the run store under the stream's name (as an integration stream's is), and its schema changes recorded as schema events. */
function cdcSyncOptions(context: BlockRunContext, spec: CdcSyncSpec): { options: CdcSyncOptions; drifts: StreamDrift[] } {
  const store = context.store;
  const drifts: StreamDrift[] = [];
  if (!store) return { options: {}, drifts };
  let files = 0;
  const drift = (stream: string, table: string): StreamDrift | undefined => {
    const of = spec.streams.find((s) => s.stream === stream);
    const contract = of?.contract ?? 'evolve';
    const settings = of?.drift ?? resolveStreamDrift(undefined, undefined, contract);
    if (settings.on_drift === 'off') return undefined;
    const judged = createStreamDrift({
      store,
      session: context.session,
      pipeline: spec.pipeline,
      stream,
      runId: context.runId,
      contract,
      settings,
      rejectsTable: rejectsTable({ name: table }).name,
      logger: context.logger,
      signal: context.signal,
      // A new file each time: the engine may keep reading a cached earlier file of the same name.
      scratch: (name) => path.join(context.tempDir, `cdc-drift-${name}-${++files}.parquet`),
    });
    drifts.push(judged);
    return judged;
  };
  const schemaChanged = async (stream: string, table: string, change: SchemaChange): Promise<void> => {
    await store.appendSchemaEvent({ pipeline: spec.pipeline, stream, table, kind: change.kind, detail: change.detail, runId: context.runId, at: new Date().toISOString() });
  };
  return { options: { drift, schemaChanged }, drifts };
}
