import type { CapturedColumn, ChangeBatch, ChangeRow as Row } from '../core/connectors/change-capture.ts';
import type { SyncInput, SyncTableChanges } from '../core/connectors/sync-destination.ts';
import type { ChangeStager } from './change-stager.ts';
import { cdcStreamState, type CdcPosition, type CdcTarget } from './cdc-position.ts';
import { fitFullImages, fitPartialImages, type ChangeFitScope, type FittedRows } from './fit-change-rows.ts';

/** A batch's change set, once its rows met their streams' drift judgement and schema contracts. */
export interface StagedChanges {
  readonly tables: SyncTableChanges[];
  /** Rows set aside in the streams' rejects tables. */
  readonly rejected: number;
  /** Once the change set is committed: makes its judged rows the streams' baselines. */
  committed(): Promise<void>;
}

/**
 * Turns a batch into the destination's change set: per target, its upserts,
 * deletes and partial updates (one input per set of columns that came) land
 * in the data plane, and every target's stream moves to `position`, changed
 * or not, since one position covers them all. With `fitting` (per stream), the upserts and
 * partial updates are fitted to their tables first (see `fitFullImages`);
 * deletes carry only keys and go as they came.
 */
export async function stageChangeBatch(batch: ChangeBatch, targets: readonly CdcTarget[], position: CdcPosition, stager: ChangeStager, fitting?: ReadonlyMap<string, ChangeFitScope>): Promise<StagedChanges> {
  const tables: SyncTableChanges[] = [];
  const fitted: FittedRows[] = [];
  for (const [i, target] of targets.entries()) {
    const { columns, key } = target.source;
    const base = { stream: target.stream, table: { name: target.table }, key, state: cdcStreamState(position, target) };
    const changes = batch.tables.get(target.source.label);
    if (!changes) {
      tables.push(base);
      continue;
    }
    // Rows changed before a column was dropped still carry it.
    const reshaped = batch.columns?.has(target.source.label);
    const stage = async (role: string, rows: readonly Row[], present = columns) =>
      rows.length ? stager.stage(`_sluice_cdc_${i}_${role}`, present, reshaped ? rows.map((row) => only(row, present)) : rows) : undefined;
    const scope = fitting?.get(target.stream);
    const fit = async (rows: Promise<FittedRows>): Promise<SyncInput | undefined> => {
      const done = await rows;
      fitted.push(done);
      return done.input;
    };
    // Full images first: under evolve they add the columns partial images may carry too.
    const staged = await stage('upserts', changes.upserts);
    const upserts = staged && scope ? await fit(fitFullImages(scope, staged)) : staged;
    const groups = new Map<string, Row[]>();
    for (const row of changes.partialUpdates) {
      const id = columns.filter((c) => c.name in row).map((c) => c.name).join('\u0000');
      const group = groups.get(id);
      if (group) group.push(row);
      else groups.set(id, [row]);
    }
    const partialUpdates: SyncInput[] = [];
    for (const [g, rows] of [...groups.values()].entries()) {
      const present = columns.filter((c) => c.name in rows[0]!);
      const image = (await stage(`partial_${g}`, rows, present))!;
      const input = scope ? await fit(fitPartialImages(scope, image)) : image;
      if (input) partialUpdates.push(input);
    }
    tables.push({
      ...base,
      upserts,
      deletes: await stage('deletes', changes.deletes, columns.filter((c) => key.includes(c.name))),
      partialUpdates,
    });
  }
  return {
    tables,
    rejected: fitted.reduce((n, f) => n + f.rejected, 0),
    committed: async () => {
      for (const f of fitted) await f.committed();
    },
  };
}

function only(row: Row, columns: readonly CapturedColumn[]): Row {
  return Object.fromEntries(columns.filter((c) => c.name in row).map((c) => [c.name, row[c.name]!]));
}
