import { ConfigError } from '../errors.ts';
import type { ConnectorBlock } from '../pipeline/pipeline.ts';
import type { AnyConnector, ConnectorConnection } from '../connectors/connector.ts';
import { parseBlockSettings } from '../connectors/parse-block-settings.ts';
import { fillTemplates } from './templates.ts';
import { localDay } from '../pipeline/schedule.ts';
import { connectorContextFor, rowsIn, type BlockRunContext, type BlockRunner } from './block-runner.ts';

/**
 * Runs a no-code block: a connector and its settings. A block with no
 * upstream reads; a block with one upstream writes that upstream out.
 */
export const runConnectorBlock: BlockRunner<ConnectorBlock> = async (block, context) => {
  const where = { file: block.declaredAt.file, line: block.declaredAt.line, block: block.name };
  const templateValues = {
    ...context.variables,
    run_id: context.runId,
    pipeline: context.pipeline.name,
    logical_date: context.logicalDate ?? '',
    data_interval_start: context.dataInterval?.start.toISOString() ?? '',
    data_interval_end: context.dataInterval?.end.toISOString() ?? '',
  };
  const settings = fillTemplates(block.settings, templateValues, where);
  const { connector, connection } = await openFor(block, context, templateValues);
  const connectorContext = connectorContextFor(block, context);
  const writing = block.role === 'exporter' || (block.role !== 'loader' && context.inputs.length > 0);
  if (writing) {
    if (!connector.capabilities.write.length || !connection.write) throw new ConfigError('block.cannot_write', `connector '${connector.kind}' cannot write`, { location: where });
    const [input, ...more] = context.inputs;
    if (!input || more.length) {
      throw new ConfigError('block.exporter_inputs', `an exporter block writes exactly one upstream; '${block.name}' has ${context.inputs.length}`, { location: where });
    }
    const parsed = parseBlockSettings(connector.writeSchema, settings, connector.kind, where, block.settingLines);
    const mode = (parsed as { mode?: unknown }).mode;
    if (typeof mode === 'string' && !(connector.capabilities.write as readonly string[]).includes(mode)) {
      throw new ConfigError('block.write_mode_unsupported', `connector '${connector.kind}' cannot write in mode '${mode}' (modes: ${connector.capabilities.write.join(', ')})`, { location: where });
    }
    const interval = partitionInterval(context);
    const result = await connection.write({ settings: parsed, input: { table: input.name, columns: input.output.columns, rows: input.output.rows }, interval }, connectorContext);
    // An exporter's output is what it exported, so tests and previews can read it.
    return { output: input.output, rowsIn: input.output.rows, summary: result.summary };
  }
  if (!connector.capabilities.read || !connection.read) throw new ConfigError('block.cannot_read', `connector '${connector.kind}' cannot read`, { location: where });
  const parsed = parseBlockSettings(connector.readSchema, settings, connector.kind, where, block.settingLines);
  const result = await connection.read({ settings: parsed, location: context.outputLocation }, connectorContext);
  return { output: result.output, rowsIn: result.rowsIn ?? rowsIn(context.inputs), rowsRejected: result.rowsRejected, summary: result.summary };
};

async function openFor(
  block: ConnectorBlock,
  context: BlockRunContext,
  templateValues: Record<string, unknown>,
): Promise<{ connector: AnyConnector; connection: ConnectorConnection }> {
  const where = { file: block.declaredAt.file, line: block.declaredAt.line, block: block.name };
  if (block.connection !== undefined) {
    const name = String(fillTemplates(block.connection, templateValues, where));
    const opened = await context.connections.get(name);
    if (block.connector !== undefined && block.connector !== opened.connector.kind) {
      throw new ConfigError('block.connector_mismatch', `block names connector '${block.connector}' but connection '${name}' is a ${opened.connector.kind} connection`, { location: where });
    }
    return opened;
  }
  const connector = context.connectors.get(block.connector!);
  if (!connector) {
    throw new ConfigError('block.unknown_connector', `unknown connector '${block.connector}' (known: ${[...context.connectors.keys()].join(', ')})`, { location: where });
  }
  if (connector.capabilities.needsConnection) {
    throw new ConfigError('block.connection_required', `connector '${connector.kind}' needs a named connection: add 'connection: NAME' and define it in connections.yaml`, { location: where });
  }
  const connection = await connector.connect(connector.connectionSchema.parse({}), {
    name: connector.kind,
    projectRoot: context.project.root,
    warehousePath: context.project.warehousePath,
  });
  context.signal.addEventListener('abort', () => void connection.close(), { once: true });
  return { connector, connection: withCloseAfter(connection) };
}

/** Connection-less connectors are opened per block; close them when the block's work ends. */
function withCloseAfter(connection: ConnectorConnection): ConnectorConnection {
  const wrap = <A extends unknown[], R>(fn: ((...args: A) => Promise<R>) | undefined) =>
    fn &&
    (async (...args: A): Promise<R> => {
      try {
        return await fn.apply(connection, args);
      } finally {
        await connection.close();
      }
    });
  return { ...connection, read: wrap(connection.read), write: wrap(connection.write), close: () => connection.close() };
}

/** The run's data interval as a partition's bounds: whole days when the interval is a day or longer. */
function partitionInterval(context: BlockRunContext): { start: string; end: string } | undefined {
  const interval = context.dataInterval;
  if (!interval) return undefined;
  const timezone = context.pipeline.schedule?.timezone ?? 'UTC';
  if (interval.end.getTime() - interval.start.getTime() >= 23 * 3_600_000) {
    return { start: localDay(interval.start, timezone), end: localDay(interval.end, timezone) };
  }
  return { start: interval.start.toISOString(), end: interval.end.toISOString() };
}
