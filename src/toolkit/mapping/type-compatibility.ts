import type { ValueFormat } from './value-formats.ts';

/** Kinds of column type, whatever the database calls them. */
export type TypeFamily = 'text' | 'integer' | 'decimal' | 'boolean' | 'date' | 'timestamp' | 'time' | 'uuid' | 'nested' | 'binary' | 'unknown';

/** `VARCHAR(255)`, `int8`, `numeric(12,2)`, `timestamptz`... as a family. */
export function typeFamily(type: string): TypeFamily {
  const t = type.trim().toLowerCase();
  if (t === '') return 'unknown';
  if (/\[\]$|^(?:struct|map|list|json|jsonb|array|union|variant|object)/.test(t)) return 'nested';
  if (/^(?:bool)/.test(t)) return 'boolean';
  if (/^(?:tinyint|smallint|mediumint|int|integer|bigint|hugeint|ubigint|uinteger|usmallint|utinyint|uhugeint|int[1248]|serial|bigserial|long|short)\b/.test(t)) return 'integer';
  if (/^(?:decimal|numeric|number|double|float|real|money)/.test(t)) return 'decimal';
  if (/^(?:timestamp|datetime)/.test(t)) return 'timestamp';
  if (/^date$/.test(t)) return 'date';
  if (/^time/.test(t)) return 'time';
  if (/^uuid/.test(t)) return 'uuid';
  if (/^(?:blob|bytea|binary|varbinary)/.test(t)) return 'binary';
  if (/char|text|string|clob|enum/.test(t)) return 'text';
  return 'unknown';
}

/** The family text values are written in, when they all read as one (`'2024-03-01'` is a date). */
export function familyOfFormats(family: TypeFamily, formats: ReadonlySet<ValueFormat>): TypeFamily {
  if (family !== 'text') return family;
  if (formats.has('timestamp')) return 'timestamp';
  if (formats.has('date')) return 'date';
  if (formats.has('boolean')) return 'boolean';
  if (formats.has('money') || formats.has('decimal')) return 'decimal';
  return family;
}

const near: Readonly<Record<string, number>> = {
  'integer|decimal': 0.8, 'date|timestamp': 0.8, 'boolean|integer': 0.3, 'integer|timestamp': 0.3, 'integer|date': 0.3,
  'uuid|text': 0.8, 'time|timestamp': 0.4,
};

/**
 * How well a source column's values fit a target column's type, 0 to 1:
 * 1 for the same family, less for a conversion (whole to decimal numbers,
 * epoch seconds to a date-time), 0.6 for anything into text (which holds
 * it, but says nothing), 0.1 for families that do not meet.
 */
export function typeCompatibility(source: TypeFamily, target: TypeFamily, sourceFormats: ReadonlySet<ValueFormat>): number {
  if (source === 'unknown' || target === 'unknown') return 0.5;
  if (source === target) return 1;
  if (sourceFormats.has('epoch') && (target === 'timestamp' || target === 'date')) return 0.8;
  const pair = near[`${source}|${target}`] ?? near[`${target}|${source}`];
  if (pair !== undefined) return pair;
  if (target === 'text' || source === 'text') return 0.6;
  return 0.1;
}
