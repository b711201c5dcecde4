import { toInstant } from './instant.ts';
import type { RunFilter } from './run-store.ts';

/**
 * The WHERE conditions of a run filter, shared by the SQLite and PostgreSQL
 * stores. `param` records a value and returns its placeholder (`?` or `$n`),
 * in the order the placeholders appear; columns are qualified with `table`,
 * so the same filter can be applied again inside a subquery.
 */
export function runFilterConditions(filter: RunFilter, table: string, param: (value: unknown) => string): string[] {
  const where: string[] = [];
  const col = (name: string): string => `${table}.${name}`;
  if (filter.pipeline) where.push(`${col('pipeline')} = ${param(filter.pipeline)}`);
  if (filter.status) where.push(`${col('status')} = ${param(filter.status)}`);
  if (filter.trigger !== undefined) where.push(`${col('"trigger"')} = ${param(filter.trigger)}`);
  if (filter.triggerKind !== undefined) {
    // A kind's own trigger, or the kind followed by a detail (`ui:blocks`, `retry of …`); no LIKE, so no wildcard escaping.
    const kind = filter.triggerKind;
    where.push(
      `(${col('"trigger"')} = ${param(kind)} OR substr(${col('"trigger"')}, 1, ${kind.length + 1}) IN (${param(`${kind}:`)}, ${param(`${kind} `)}))`,
    );
  }
  if (filter.backfillId !== undefined) where.push(`${col('backfill_id')} = ${param(filter.backfillId)}`);
  if (filter.since !== undefined) where.push(`${col('started_at')} >= ${param(toInstant(filter.since, 'since'))}`);
  if (filter.until !== undefined) where.push(`${col('started_at')} < ${param(toInstant(filter.until, 'until'))}`);
  if (filter.logicalDate !== undefined) where.push(`${col('logical_date')} = ${param(filter.logicalDate)}`);
  return where;
}

/**
 * Conditions for a run list: the filter, and with `onePerBackfill` only the
 * newest matching run of each backfill (by start, then id), checked per row
 * through the backfill index so a page of a large store stays cheap.
 * `runs` is the table as the outer query names it, `from` the table to read.
 */
export function runListConditions(filter: RunFilter, runs: string, from: string, param: (value: unknown) => string): string[] {
  const where = runFilterConditions(filter, runs, param);
  if (filter.onePerBackfill) {
    const same = runFilterConditions({ ...filter, backfillId: undefined }, 'newer', param);
    where.push(
      `(${runs}.backfill_id IS NULL OR NOT EXISTS (SELECT 1 FROM ${from} newer WHERE newer.backfill_id = ${runs}.backfill_id
         AND (newer.started_at > ${runs}.started_at OR (newer.started_at = ${runs}.started_at AND newer.id > ${runs}.id))
         ${same.map((c) => `AND ${c}`).join(' ')}))`,
    );
  }
  return where;
}
