/**
 * Sluice's public API for block authors and embedders.
 * @example
 * import { defineTransformer } from 'sluice';
 * export default defineTransformer(async function* ({ orders }) {
 *   for await (const batch of orders.batches()) yield batch.filter((o) => o.amount > 0);
 * });
 */
export { defineLoader, defineTransformer, defineExporter, defineTest, defineSensor } from './core/blocks/block-api.ts';
export type {
  BlockContext,
  BlockDefinition,
  BlockFunction,
  BlockInputs,
  BlockOutput,
  ConnectionClient,
  SqlQuery,
  TableHandle,
} from './core/blocks/block-api.ts';
export type { Column, Row } from './core/data-plane/data-plane.ts';
export type { Logger } from './core/run/logger.ts';
export type { Connector, ConnectorConnection, ConnectorCapabilities, WriteMode } from './core/connectors/connector.ts';
export { SluiceError, ConfigError, ConnectorError } from './core/errors.ts';
export * from './toolkit/index.ts';
