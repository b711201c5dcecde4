import type { DataPlaneSession } from '../data-plane/data-plane.ts';
import { quoteIdent } from '../sql/quote.ts';
import type { SyncInput } from './sync-destination.ts';

/** The smallest and largest key of a batch, as integer literals. */
export interface KeyRange {
  readonly min: string;
  readonly max: string;
}

const integerTypes = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/i;

/**
 * The range of an upsert batch's key, when the key is one integer column of a
 * batch held in the data plane (read from its row-group statistics, not its rows).
 *
 * A destination that finds no row of its table inside that range knows every
 * row of the batch is new, and loads it straight into the table with its bulk
 * path instead of staging it for an upsert: the common case of a sync whose
 * cursor follows an increasing key. The probe only picks the path: a key that
 * is there after all fails the load (a duplicate key), it never doubles a row.
 */
export async function freshKeyRange(session: DataPlaneSession, input: SyncInput, key: readonly string[]): Promise<KeyRange | undefined> {
  if (key.length !== 1 || input.csv !== undefined || !input.rows) return undefined;
  const column = input.columns.find((c) => c.name === key[0]);
  if (!column || !integerTypes.test(column.type.trim())) return undefined;
  const k = quoteIdent(column.name);
  const [row] = await session.query(`SELECT CAST(min(${k}) AS VARCHAR) AS lo, CAST(max(${k}) AS VARCHAR) AS hi FROM ${quoteIdent(input.table)}`);
  const min = row?.lo;
  const max = row?.hi;
  if (typeof min !== 'string' || typeof max !== 'string' || !/^-?\d+$/.test(min) || !/^-?\d+$/.test(max)) return undefined;
  return { min, max };
}
