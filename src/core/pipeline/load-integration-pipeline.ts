import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { parseYamlFile } from '../config/parse-yaml-file.ts';
import { ConfigError } from '../errors.ts';
import type { Pipeline, SyncBlock } from './pipeline.ts';
import { resolveStreamDrift } from '../quality/drift-settings.ts';
import { defaultBatchSize, integrationFileSchema, streamName, type SyncStreamSpec } from './integration-schema.ts';

/** True when a pipeline file says `kind: integration` (or `type: integration`, its old spelling); read cheaply, before the full parse. */
export function isIntegrationFile(file: string): boolean {
  try {
    const text = readFileSync(file, 'utf8');
    if (!/^(kind|type)\s*:/m.test(text)) return false;
    const doc = parseDocument(text, { prettyErrors: false });
    const top = doc.toJS() as { kind?: unknown; type?: unknown } | null;
    return top?.kind === 'integration' || top?.type === 'integration';
  } catch {
    // A file that cannot be read or parsed gets the block pipeline's own, located, error.
    return false;
  }
}

/**
 * Loads an integration pipeline: each stream becomes a sync block, so runs,
 * history, logs, retries, the scheduler and the API treat it like any other
 * pipeline. Every problem names file, line and column.
 */
export function loadIntegrationPipeline(name: string, file: string, shown: string, read: (file: string) => Buffer = (f) => readFileSync(f)): Pipeline {
  const { data, locate } = parseYamlFile(file, integrationFileSchema, shown);
  const seen = new Map<string, number>();
  const blocks: SyncBlock[] = data.streams.map((stream, index) => {
    const stream_ = streamName(stream);
    const where = locate(['streams', index]);
    if (seen.has(stream_)) {
      throw new ConfigError('integration.duplicate_stream', `two streams are named '${stream_}' (give one a name:)`, { location: { ...where, block: stream_ } });
    }
    seen.set(stream_, index);
    const spec: SyncStreamSpec = {
      stream: stream_,
      source: data.source,
      destination: data.destination,
      table: stream.table,
      query: stream.query,
      file: stream.file,
      destinationTable: stream.destination_table ?? stream_,
      primaryKey: stream.primary_key,
      cursor: stream.cursor,
      mode: stream.mode,
      batchSize: stream.batch_size ?? data.batch_size ?? defaultBatchSize(stream.mode),
      schemaContract: stream.schema_contract ?? data.schema_contract,
      drift: resolveStreamDrift(stream.drift, data.drift, stream.schema_contract ?? data.schema_contract),
      ...(stream.mode === 'cdc' ? { cdc: data.cdc } : {}),
    };
    return {
      name: stream_,
      role: 'loader',
      language: 'sync',
      upstream: [],
      declaredAt: { file: shown, line: where.line },
      settings: spec,
    };
  });
  return {
    name: data.name ?? name,
    description: data.description,
    file,
    variables: {},
    blocks,
    version: createHash('sha256').update(read(file)).digest('hex').slice(0, 16),
    schedule: data.schedule,
    apiEnabled: data.api.enabled,
    retries: data.retries,
    timeout: data.timeout,
    // Streams sync one at a time: destinations lock their sync-state table per pipeline (MariaDB's gap
    // locks make two first syncs of different streams deadlock), so streams side by side would refuse
    // each other's commits as conflicts.
    concurrency: 1,
    alerts: data.alerts,
    ...(data.type === undefined
      ? {}
      : {
          warnings: [
            {
              code: 'pipeline.type_deprecated',
              message: `'type: integration' is the old spelling of 'kind: integration'; rename the key (type still works for now)`,
              location: locate(['type']),
            },
          ],
        }),
  };
}
