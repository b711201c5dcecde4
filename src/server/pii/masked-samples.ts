import type { Context } from 'hono';
import type { CheckResultRecord } from '../../core/quality/check-result.ts';
import type { DriftEventRecord } from '../../core/run-store/quality-store.ts';
import { freshnessMessageParts } from '../../core/quality/evaluate-checks.ts';
import { maskedMarker } from './value-mask.ts';

/** Columns a sample row's values were masked in, per check result or drift event. */
export type Masked<T> = T & { readonly masked?: readonly string[] };

type Rows = readonly Readonly<Record<string, unknown>>[];

/** Masks the sample rows `key` of each record of one block for the caller, naming the masked columns. */
async function maskRecords<T extends { readonly pipeline: string; readonly block: string }, K extends keyof T>(c: Context, records: readonly T[], key: K): Promise<Masked<T>[]> {
  return Promise.all(
    records.map(async (record) => {
      const rows = record[key] as Rows | undefined;
      if (!rows?.length) return record;
      const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
      const mask = await c.get('maskFor')(record.pipeline, record.block, columns);
      return mask.empty ? record : { ...record, [key]: mask.rows(rows), masked: mask.among(columns) };
    }),
  );
}

/**
 * Check results with their failing-row samples masked for the caller, and the
 * newest value a freshness check quotes when its column is masked (docs/pii.md).
 */
export async function maskSamples(c: Context, results: readonly CheckResultRecord[]): Promise<Masked<CheckResultRecord>[]> {
  return Promise.all((await maskRecords(c, results, 'sample')).map((result) => maskFreshnessValue(c, result)));
}

async function maskFreshnessValue(c: Context, result: Masked<CheckResultRecord>): Promise<Masked<CheckResultRecord>> {
  const parts = result.kind === 'freshness' ? freshnessMessageParts(result.message) : undefined;
  if (!parts) return result;
  const mask = await c.get('maskFor')(result.pipeline, result.block, [parts.column]);
  if (!mask.has(parts.column)) return result;
  return { ...result, message: parts.withValue(maskedMarker), masked: [...new Set([...(result.masked ?? []), ...mask.among([parts.column])])] };
}

/** Drift events with the rows they kept as samples masked for the caller. */
export function maskDriftSamples(c: Context, events: readonly DriftEventRecord[]): Promise<Masked<DriftEventRecord>[]> {
  return maskRecords(c, events, 'samples');
}
