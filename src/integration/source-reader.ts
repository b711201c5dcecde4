import path from 'node:path';
import type { AnyConnector, ConnectorConnection, ConnectorContext } from '../core/connectors/connector.ts';
import { dataPlaneIdentifiers } from '../core/connectors/identifier-rules.ts';
import type { DataPlaneSession, StoredOutput } from '../core/data-plane/data-plane.ts';
import { ConfigError } from '../core/errors.ts';
import { quoteIdent, tableNameParts } from '../core/sql/quote.ts';
import type { SyncStreamSpec } from '../core/pipeline/integration-schema.ts';
import { sourceDialect, sourceFrom, type SourceDialect } from './source-dialect.ts';

/** Where a stream's rows come from, as SQL the sync can batch over. */
export interface SourceReader {
  readonly dialect: SourceDialect;
  /** The stream's rows as a FROM item in the dialect. */
  readonly from: string;
  /** Runs a query of the dialect and lands its rows in the data plane at `location`. */
  read(query: string, location: string): Promise<StoredOutput>;
  /** The source table's primary key, when the source can tell; empty otherwise. */
  primaryKey(): Promise<string[]>;
}

export interface SourceReaderRequest {
  readonly spec: SyncStreamSpec;
  readonly connector: AnyConnector;
  readonly connection: ConnectorConnection;
  readonly context: ConnectorContext;
  readonly session: DataPlaneSession;
}

/** The landed files of a `file` stream, visible to the session under this name. */
const landedFiles = '_sluice_source_files';

/**
 * A database source runs each batch query inside the database; a file source
 * lands its files in the data plane once (streamed to disk) and batches over
 * them there, in the data plane's own SQL.
 */
export async function openSourceReader(request: SourceReaderRequest): Promise<SourceReader> {
  const { spec, connector, connection, context, session } = request;
  const readsFiles = connector.capabilities.syncSource === 'files';
  if (readsFiles !== (spec.file !== undefined)) {
    throw new ConfigError(
      'integration.file_settings',
      readsFiles
        ? `stream '${spec.stream}': connection '${spec.source}' reads files, so the stream needs file: settings (path, format, ...) instead of a table or query`
        : `stream '${spec.stream}': file: settings need a source connection that reads files; '${spec.source}' is a ${connector.kind} connection`,
    );
  }
  if (spec.file !== undefined) {
    const landed = await connection.read!({ settings: spec.file, location: path.join(context.tempDir, 'source-files.parquet') }, context);
    await session.attach(landedFiles, landed.output);
    return {
      // The batches run in the data plane, so they are written in its SQL.
      dialect: dataPlaneIdentifiers,
      from: quoteIdent(landedFiles),
      read: (query, location) => session.storeQuery(query, location, context.signal),
      primaryKey: async () => [],
    };
  }
  const dialect = sourceDialect(connector, spec.source);
  return {
    dialect,
    from: sourceFrom(dialect, spec),
    read: async (query, location) => (await connection.read!({ settings: { query }, location }, context)).output,
    primaryKey: () => discoveredKey(spec, connection, context),
  };
}

async function discoveredKey(spec: SyncStreamSpec, connection: ConnectorConnection, context: ConnectorContext): Promise<string[]> {
  if (spec.table === undefined || !connection.discover) return [];
  const { qualifier: schema, name } = tableNameParts(spec.table);
  const tables = await connection.discover({ schema }, context);
  const found = tables.find((t) => t.name === name) ?? tables.find((t) => t.name.toLowerCase() === name.toLowerCase());
  return [...(found?.primaryKey ?? [])];
}
