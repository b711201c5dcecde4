import type { SyncBlock } from '../core/pipeline/pipeline.ts';
import type { BlockResult, BlockRunContext } from '../core/run/block-runner.ts';
import { cdcStreams, cdcSyncSpec } from './cdc-pipeline.ts';
import { openSyncDestination } from '../core/connectors/open-sync-destination.ts';
import { runCdcSync } from './run-cdc-sync.ts';

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
  try {
    const result = await runCdcSync(spec, destination, { session: context.session, logger: context.logger, signal: context.signal, tempDir: context.tempDir });
    const state = { mode: 'cdc', position: result.position.position, source_commit_time: result.position.sourceCommitTime?.toISOString() ?? null };
    for (const stream of spec.streams) {
      // The destination holds the truth; the run store's copy is for `sluice state show` and the UI.
      await context.store?.putSyncState({ pipeline: spec.pipeline, stream: stream.stream, state, updatedAt: new Date().toISOString() }).catch(() => undefined);
    }
    const snapshot = result.snapshotRows === undefined ? '' : `snapshot of ${result.snapshotRows} rows, then `;
    return {
      rowsIn: (result.snapshotRows ?? 0) + result.changes,
      summary: `${snapshot}${result.changes} changes in ${result.transactions} transactions into '${destinationName}'; position ${result.position.position}, slot lag ${result.lagBytes ?? '?'} bytes`,
    };
  } finally {
    await destination.close();
  }
}
