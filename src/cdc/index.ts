/**
 * Change data capture: the `cdc` sync mode of integration pipelines. The
 * source's side (slots, snapshots, the change stream) is its connector's
 * `changeCapture`; this folder stages the batches, applies them to the
 * destination with their position, and reports status.
 */
export { runCdcBlock } from './run-cdc-block.ts';
export { runCdcSync, type CdcSyncSpec, type CdcSyncResult } from './run-cdc-sync.ts';
export { readCdcStatus, readCdcSlot, dropCdc, type CdcStatus } from './cdc-status.ts';
export { cdcSettingsSchema, type CdcSettings } from '../core/pipeline/cdc-settings.ts';
export { cdcNames } from './cdc-names.ts';
export type { CdcPosition, CdcTarget } from './cdc-position.ts';
