import type { RunFilter, RunRecord, RunStatus, RunHistory } from '../core/run-store/run-store.ts';
import { isBlocksTrigger } from '../core/run/run-triggers.ts';

/** A backfill shown as one row: how far its runs have got. */
export interface BackfillProgress {
  readonly id: string;
  readonly total: number;
  readonly counts: Partial<Record<RunStatus, number>>;
}

/** A row of the runs list: a run, the blocks it was limited to, or a whole backfill. */
export type RunListRow = RunRecord & { readonly blocks?: readonly string[]; readonly backfill?: BackfillProgress };

export interface RunListPage {
  readonly runs: readonly RunListRow[];
  readonly offset: number;
  readonly limit: number;
  /** More rows match beyond this page. */
  readonly hasMore: boolean;
}

/**
 * One page of the runs list, read by the store's indexes: one more row than
 * the page is asked for, to know whether another page follows, without
 * counting every match. A backfill is one row (its newest matching run, with
 * the progress of all its runs) unless the page lists one backfill's runs.
 */
export async function listRunPage(store: RunHistory, filter: RunFilter & { readonly offset: number; readonly limit: number }): Promise<RunListPage> {
  const grouped = filter.backfillId === undefined;
  const found = await store.listRuns({ ...filter, onePerBackfill: grouped, limit: filter.limit + 1 });
  const page = found.slice(0, filter.limit);
  const runs = await Promise.all(page.map(async (run): Promise<RunListRow> => {
    if (grouped && run.backfillId !== undefined) {
      const counts = await store.countRuns({ backfillId: run.backfillId });
      const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
      return { ...run, backfill: { id: run.backfillId, total, counts } };
    }
    if (isBlocksTrigger(run.trigger)) return { ...run, blocks: (await store.listBlockRuns(run.id)).map((b) => b.block) };
    return run;
  }));
  return { runs, offset: filter.offset, limit: filter.limit, hasMore: found.length > filter.limit };
}
