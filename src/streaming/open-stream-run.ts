import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ConnectorRegistry } from '../core/connectors/connector.ts';
import { openSyncDestination } from '../core/connectors/open-sync-destination.ts';
import type { SyncContext, SyncDestination } from '../core/connectors/sync-destination.ts';
import type { DataPlaneSession } from '../core/data-plane/data-plane.ts';
import type { Project } from '../core/project/load-project.ts';
import type { Logger } from '../core/run/logger.ts';
import { DeadLetters } from './dead-letters.ts';
import { createPayloadDecoder } from './decode-payload.ts';
import type { StreamingPipeline } from './load-streaming-pipeline.ts';
import { openStreamSource } from './open-stream-source.ts';
import type { PipelineSink, StreamRun } from './run-stream.ts';
import { FileSink } from './file-sink.ts';
import { deadLetterConnection, firstTableSink } from '../core/pipeline/streaming-schema.ts';
import type { IngestEndpoints } from './sources/ingest-endpoints.ts';
import { StreamSink } from './stream-sink.ts';
import { openBrokerSink } from './sinks/open-broker-sink.ts';
import { loadStreamTransformers } from './stream-transformers.ts';
import { WindowAggregator } from './windows/window-aggregator.ts';

export interface OpenedStreamRun extends StreamRun {
  close(): Promise<void>;
}

/**
 * Opens everything a streaming pipeline's run needs: its sinks (and their
 * committed state), the dead-letter table, the transformers and the source.
 */
export async function openStreamRun(
  project: Project,
  connectors: ConnectorRegistry,
  pipeline: StreamingPipeline,
  options: {
    readonly session: DataPlaneSession;
    readonly logger: Logger;
    readonly signal: AbortSignal;
    readonly stop: AbortSignal;
    readonly onBatch?: StreamRun['onBatch'];
    /** Where an http source registers its endpoint, in a process that serves HTTP. */
    readonly ingest?: IngestEndpoints | undefined;
  },
): Promise<OpenedStreamRun> {
  const { settings } = pipeline;
  const tempDir = await mkdtemp(path.join(os.tmpdir(), 'sluice-stream-'));
  const context = { session: options.session, logger: options.logger, signal: options.signal, tempDir };
  const destinations = new Map<string, SyncDestination>();
  const closing: (() => Promise<void>)[] = [() => rm(tempDir, { recursive: true, force: true })];
  const close = async () => {
    for (const step of closing.reverse()) await step().catch(() => undefined);
  };
  try {
    const connections = new Set([...settings.sinks.flatMap((s) => ('type' in s ? [] : [s.connection])), deadLetterConnection(settings)]);
    for (const connection of connections) {
      const destination = await openSyncDestination(project, connectors, connection, options.session);
      destinations.set(connection, destination);
      closing.push(() => destination.close());
    }
    const sinks: PipelineSink[] = [];
    for (const spec of settings.sinks) {
      if (!('type' in spec)) sinks.push(new StreamSink(pipeline.name, spec, destinations.get(spec.connection)!));
      else if (spec.type === 'file') sinks.push(new FileSink(pipeline.name, spec, project.root, FileSink.stateFileFor(project.stateDir, pipeline.name, spec)));
      else {
        const sink = await openBrokerSink(pipeline.name, spec);
        closing.push(() => sink.close());
        sinks.push(sink);
      }
    }
    for (const sink of sinks) await sink.load(context);
    const transformers = await loadStreamTransformers(pipeline.transformers, (file) => path.relative(project.root, file));
    const decoder = createPayloadDecoder(settings.payload, pipeline.shown, settings.schema_contract);
    const source = await openStreamSource(settings.source, { pipeline: pipeline.name, maxInFlight: settings.max_in_flight, redeliveriesFirst: settings.window !== undefined, ingest: options.ingest, payload: settings.payload });
    closing.push(() => source.close());
    const deadLetterBroker = settings.dead_letter_publish ? await openBrokerSink(pipeline.name, settings.dead_letter_publish) : undefined;
    if (deadLetterBroker) {
      closing.push(() => deadLetterBroker.close());
      await deadLetterBroker.load();
    }
    const deadLetters = new DeadLetters(pipeline.name, source.description, settings.dead_letter_table, destinations.get(deadLetterConnection(settings))!, deadLetterBroker);
    const window = settings.window ? new WindowAggregator(settings.window) : undefined;
    // A windowed pipeline has a table sink (its file's schema asks for one): the late table sits beside the first.
    const late = settings.window ? await openLateTable(pipeline.name, settings.window.late_table ?? `${pipeline.name}__late`, firstTableSink(settings).connection, destinations, context) : undefined;
    return { pipeline: pipeline.name, settings, source, decoder, transformers, sinks, deadLetters, window, late, context, stop: options.stop, onBatch: options.onBatch, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The late table: records too late for their window, one row per record, upserted by its message id and place. */
async function openLateTable(pipeline: string, table: string, connection: string, destinations: ReadonlyMap<string, SyncDestination>, context: SyncContext): Promise<StreamSink> {
  const sink = new StreamSink(pipeline, { connection, table, mode: 'upsert', key: ['_message_id', '_row'] }, destinations.get(connection)!);
  await sink.load(context);
  return sink;
}
