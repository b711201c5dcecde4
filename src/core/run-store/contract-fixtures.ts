import assert from 'node:assert/strict';
import type { NewRunRecord } from './run-history.ts';

/** A minute of 2024-05-01, 10:00 UTC, as ISO 8601. */
export const at = (minute: number): string => new Date(Date.UTC(2024, 4, 1, 10, minute)).toISOString();
/** An instant this long before now, as ISO 8601. */
export const ago = (ms: number): string => new Date(Date.now() - ms).toISOString();

/** A run of `pipeline` started at minute `minute` of the contract's day. */
export function run(id: string, pipeline: string, minute: number): NewRunRecord {
  return { id, pipeline, pipelineVersion: 'v1', variables: { day: '2024-05-01', n: 3 }, trigger: 'manual', startedAt: at(minute) };
}

/** Every element once: what several callers got must not overlap. */
export function assertDisjoint(lists: readonly (readonly string[])[]): string[] {
  const all = lists.flat();
  assert.equal(new Set(all).size, all.length, `returned to more than one caller: ${JSON.stringify(lists)}`);
  return all.sort();
}

/**
 * How a role's contract opens stores: `open` gives a store on the backing
 * database (a second call while one is open is a second "process" on it),
 * and `close` closes one before the case ends (reopening must keep the data).
 */
export interface ContractStores<Store> {
  open(): Promise<Store>;
  close(store: Store): Promise<void>;
}
