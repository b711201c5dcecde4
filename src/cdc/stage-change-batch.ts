import type { ChangeBatch, ChangeRow as Row } from '../core/connectors/change-capture.ts';
import type { SyncInput, SyncTableChanges } from '../core/connectors/sync-destination.ts';
import type { ChangeStager } from './change-stager.ts';
import { cdcStreamState, type CdcPosition, type CdcTarget } from './cdc-position.ts';

/**
 * Turns a batch into the destination's change set: per target, its upserts,
 * deletes and partial updates (one input per set of columns that came) land
 * in the data plane, and every target's stream moves to `position`, changed
 * or not, since one position covers them all.
 */
export async function stageChangeBatch(batch: ChangeBatch, targets: readonly CdcTarget[], position: CdcPosition, stager: ChangeStager): Promise<SyncTableChanges[]> {
  const tables: SyncTableChanges[] = [];
  for (const [i, target] of targets.entries()) {
    const { columns, key } = target.source;
    const base = { stream: target.stream, table: { name: target.table }, key, state: cdcStreamState(position, target) };
    const changes = batch.tables.get(target.source.label);
    if (!changes) {
      tables.push(base);
      continue;
    }
    const stage = async (role: string, rows: readonly Row[], present = columns): Promise<SyncInput | undefined> =>
      rows.length ? stager.stage(`_sluice_cdc_${i}_${role}`, present, rows) : undefined;
    const groups = new Map<string, Row[]>();
    for (const row of changes.partialUpdates) {
      const id = columns.filter((c) => c.name in row).map((c) => c.name).join('\u0000');
      const group = groups.get(id);
      if (group) group.push(row);
      else groups.set(id, [row]);
    }
    const partialUpdates: SyncInput[] = [];
    for (const rows of groups.values()) {
      const present = columns.filter((c) => c.name in rows[0]!);
      partialUpdates.push((await stage(`partial_${partialUpdates.length}`, rows, present))!);
    }
    tables.push({
      ...base,
      upserts: await stage('upserts', changes.upserts),
      deletes: await stage('deletes', changes.deletes, columns.filter((c) => key.includes(c.name))),
      partialUpdates,
    });
  }
  return tables;
}
