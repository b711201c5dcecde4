/**
 * Sluice's public API: the block API for block authors, the transform toolkit,
 * and the library that runs a project's pipelines from any Node.js program.
 * @example
 * import { defineTransformer } from 'sluice';
 * export default defineTransformer(async function* ({ orders }) {
 *   for await (const batch of orders.batches()) yield batch.filter((o) => o.amount > 0);
 * });
 * @example
 * import { openProject } from 'sluice';
 * const project = await openProject('./shop');
 * const run = await project.runPipeline('daily_sales');
 * await project.close();
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
export type { ConfigWarning, ErrorKind, ErrorLocation, SerializedError } from './core/errors.ts';
export { openProject } from './library/open-project.ts';
export type { OpenProjectOptions, RunPipelineOptions, SluiceProject } from './library/open-project.ts';
export type { AlertResult, BlockRunResult, PipelineRunResult } from './library/pipeline-run-result.ts';
export type { BlockRunStatus, RunStatus } from './core/run-store/run-store.ts';
export type { BlockRole } from './core/pipeline/pipeline-schema.ts';
export * from './toolkit/index.ts';
