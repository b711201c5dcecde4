import path from 'node:path';
import { SluiceError, toSluiceError } from '../core/errors.ts';
import type { SyncBlock } from '../core/pipeline/pipeline.ts';
import { connectorContextFor, type BlockRunner } from '../core/run/block-runner.ts';
import { runCdcBlock } from '../cdc/run-cdc-block.ts';
import { syncStreamSpecSchema } from '../core/pipeline/integration-schema.ts';
import { openSourceReader } from './source-reader.ts';
import type { SyncContext } from '../core/connectors/sync-destination.ts';
import { openSyncDestination } from '../core/connectors/open-sync-destination.ts';
import { createStreamDrift } from '../core/quality/judge-stream-drift.ts';
import { rejectsTable } from '../core/connectors/apply-schema-contract.ts';
import { syncStream } from './sync-stream.ts';
import { describeDrift } from '../core/quality/drift-evidence.ts';
import { resolveStreamDrift } from '../core/quality/drift-settings.ts';

/**
 * Runs one stream of an integration pipeline as a block: rows synced are the
 * block's rows, its summary says where the cursor stands, and its failure is
 * the block's failure, so history, logs, retries and alerts work unchanged.
 */
export const runSyncBlock: BlockRunner<SyncBlock> = async (block, context) => {
  const spec = syncStreamSpecSchema.parse(block.settings);
  if (spec.mode === 'cdc') return runCdcBlock(block, context);
  const what = spec.table !== undefined ? `table ${spec.table}` : spec.file !== undefined ? 'its files' : 'its query';
  const { connector, connection } = await naming(`stream '${spec.stream}' (${what}): opening source connection '${spec.source}'`, context.connections.get(spec.source));
  const destination = await naming(`stream '${spec.stream}' (into ${spec.destinationTable}): opening destination connection '${spec.destination}'`, openSyncDestination(context.project, context.connectors, spec.destination, context.session));
  const connectorContext = connectorContextFor(block, context);
  const syncContext: SyncContext = { session: context.session, logger: context.logger, signal: context.signal, tempDir: context.tempDir };
  const store = context.store;
  try {
    const settings = spec.drift ?? resolveStreamDrift(undefined, undefined, spec.schemaContract);
    const drift =
      store &&
      settings.on_drift !== 'off' &&
      createStreamDrift({
        store,
        session: context.session,
        pipeline: context.pipeline.name,
        stream: spec.stream,
        runId: context.runId,
        contract: spec.schemaContract,
        settings,
        rejectsTable: rejectsTable({ name: spec.destinationTable }).name,
        logger: context.logger,
        signal: context.signal,
        scratch: (name) => path.join(context.tempDir, `${name}.parquet`),
      });
    const source = await naming(`stream '${spec.stream}' (${what}): reading from '${spec.source}'`, openSourceReader({ spec, connector, connection, context: connectorContext, session: context.session }));
    const result = await syncStream({
      pipeline: context.pipeline.name,
      spec,
      source,
      destination,
      context: syncContext,
      logger: context.logger,
      drift: drift || undefined,
      committed: async (state) => {
        // The destination holds the truth; a mirror that fails to update only lags until the next batch.
        await store?.putSyncState({ pipeline: context.pipeline.name, stream: spec.stream, state, updatedAt: new Date().toISOString() }).catch((error: unknown) => {
          context.logger.warn(`could not mirror the state of stream '${spec.stream}' into the run store: ${(error as Error).message}`);
        });
      },
      schemaChanged: async (table, change) => {
        await store?.appendSchemaEvent({ pipeline: context.pipeline.name, stream: spec.stream, table: table.name, kind: change.kind, detail: change.detail, runId: context.runId, at: new Date().toISOString() });
      },
    });
    const drifted = drift && drift.events.length ? `; ${describeDrift(drift.events)}` : '';
    return { rowsIn: result.rows, summary: `${result.summary}${drifted}` };
  } finally {
    await destination.close();
  }
};

/** Puts the stream and its table in front of a connection's error, keeping its code, retryability and (masked) text. */
async function naming<T>(doing: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    const problem = toSluiceError(error);
    throw new SluiceError(problem.code, `${doing} failed: ${problem.message}`, { cause: problem.cause ?? error, retryable: problem.retryable, kind: problem.kind, location: problem.location });
  }
}
