import { formatCell } from '../../format.ts';

/** DuckDB's number types: shown right-aligned, whether JSON carries them as numbers or (BIGINT, HUGEINT, DECIMAL) as text. */
const numeric = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DECIMAL|NUMERIC|INT\d*)\b/i;

export function isNumericType(type: string | undefined): boolean {
  return numeric.test(type ?? '');
}

/**
 * A cell as its column's type reads: a DATE as a day, a TIMESTAMP in the
 * viewer's time zone with the zone named, the rest as text. The API sends
 * dates and timestamps as ISO instants; a DATE is midnight UTC, so it is
 * cut, never shifted into the viewer's zone (which could change the day).
 */
export function formatValue(value: unknown, type: string | undefined, timeZone?: string): string {
  if (value === null || value === undefined || typeof value !== 'string') return formatCell(value);
  const kind = (type ?? '').toUpperCase();
  if (kind === 'DATE' && /^\d{4}-\d{2}-\d{2}T/.test(value)) return value.slice(0, 10);
  if (/^TIMESTAMP/.test(kind)) {
    const at = new Date(value);
    return Number.isNaN(at.getTime()) ? value : formatInstant(at, timeZone);
  }
  return value;
}

/** `2025-08-08 12:00:00 GMT+2`: sortable, unambiguous, and in the viewer's zone. */
export function formatInstant(at: Date, timeZone?: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'short' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const fraction = at.getUTCMilliseconds() ? `.${String(at.getUTCMilliseconds()).padStart(3, '0')}` : '';
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}${fraction} ${parts.timeZoneName}`;
}
