import type { ConnectorRegistry } from '../core/connectors/connector.ts';
import { ConfigError } from '../core/errors.ts';
import type { Pipeline } from '../core/pipeline/pipeline.ts';
import type { Project } from '../core/project/load-project.ts';
import { tableNameParts } from '../core/sql/quote.ts';
import { syncStreamSpecSchema, type SyncStreamSpec } from '../core/pipeline/integration-schema.ts';
import { cdcNames } from './cdc-names.ts';
import { cdcSource } from './cdc-source.ts';
import type { CdcSyncSpec } from './run-cdc-sync.ts';

/** The `mode: cdc` streams of a pipeline, in file order. */
export function cdcStreams(pipeline: Pipeline): SyncStreamSpec[] {
  return pipeline.blocks.flatMap((b) => {
    if (b.language !== 'sync') return [];
    const spec = syncStreamSpecSchema.parse(b.settings);
    return spec.mode === 'cdc' ? [spec] : [];
  });
}

/**
 * Resolves a pipeline's CDC streams into one sync: they share the source, the
 * destination, one slot and one publication, because one slot delivers all
 * their changes in commit order.
 */
export function cdcSyncSpec(project: Project, connectors: ConnectorRegistry, pipeline: Pipeline): { spec: CdcSyncSpec; destination: string } {
  const streams = cdcStreams(pipeline);
  const first = streams[0];
  if (!first) throw new ConfigError('cdc.no_streams', `pipeline '${pipeline.name}' has no stream with mode cdc`);
  const source = cdcSource(project, connectors, first.source);
  const names = cdcNames(pipeline.name, project.name);
  return {
    destination: first.destination,
    spec: {
      pipeline: pipeline.name,
      source,
      streams: streams.map((s) => {
        if (s.table === undefined) {
          throw new ConfigError('cdc.query_stream', `stream '${s.stream}': mode cdc replicates a table, not a query; give table:`, { location: { file: pipeline.file, block: s.stream } });
        }
        const parts = tableNameParts(s.table);
        const [schema, table] = [parts.qualifier ?? source.defaultSchema, parts.name];
        return { stream: s.stream, schema, table, destinationTable: s.destinationTable, contract: s.schemaContract, drift: s.drift };
      }),
      slot: first.cdc?.slot ?? names.slot,
      publication: first.cdc?.publication ?? names.publication,
      batchSize: Math.min(...streams.map((s) => s.batchSize)),
      follow: first.cdc?.follow ?? false,
    },
  };
}
