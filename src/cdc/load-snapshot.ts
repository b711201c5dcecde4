import type { ChangeRow } from '../core/connectors/change-capture.ts';
import type { SyncContext, SyncDestination, SyncTableChanges } from '../core/connectors/sync-destination.ts';
import type { ChangeStager, StagedInput } from './change-stager.ts';
import { cdcStreamState, type CdcPosition, type CdcTarget } from './cdc-position.ts';
import type { ChangeDestination } from './require-change-support.ts';

/**
 * Lands each target's snapshot rows in the data plane, makes the destination
 * tables (or adds the columns an earlier snapshot's table lacks), then
 * replaces their rows and stores `position` in one destination transaction;
 * `committed` then hears of each target's rows.
 * Memory holds one fetch of rows at a time; the tables wait on disk.
 */
export async function loadSnapshot(
  destination: ChangeDestination,
  pipeline: string,
  targets: readonly CdcTarget[],
  rows: (target: CdcTarget) => AsyncIterable<readonly ChangeRow[]>,
  position: CdcPosition,
  stager: ChangeStager,
  context: SyncContext,
  committed?: (target: CdcTarget, rows: StagedInput) => Promise<void>,
): Promise<number> {
  const tables: SyncTableChanges[] = [];
  const staged: StagedInput[] = [];
  let count = 0;
  for (const [i, target] of targets.entries()) {
    const input = await stager.stage(`_sluice_cdc_${i}_snapshot`, target.source.columns, rows(target));
    await prepareTable(destination, target, context);
    count += input.rows;
    staged.push(input);
    tables.push({ stream: target.stream, table: { name: target.table }, key: target.source.key, replace: true, upserts: input.rows ? input : undefined, state: cdcStreamState(position, target) });
  }
  await destination.applyChanges({ pipeline, tables }, context);
  for (const [i, target] of targets.entries()) await committed?.(target, staged[i]!);
  return count;
}

async function prepareTable(destination: SyncDestination, target: CdcTarget, context: SyncContext): Promise<void> {
  const table = { name: target.table };
  const columns = target.source.columns.map((c) => ({ name: c.name, type: c.type }));
  const shape = await destination.describeTable(table);
  if (!shape) return destination.createTable(table, columns, target.source.key, context);
  const existing = new Set(shape.columns.map((c) => c.name.toLowerCase()));
  for (const c of columns) {
    if (!existing.has(c.name.toLowerCase())) await destination.alterTable(table, { kind: 'add_column', column: c.name, type: c.type }, context);
  }
}
