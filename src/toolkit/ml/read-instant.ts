const dayPattern = /^\d{4}-\d{2}-\d{2}$/;
const zonedPattern = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/**
 * Epoch milliseconds of a time written as a Date, `YYYY-MM-DD` (midnight UTC),
 * an ISO instant with its zone, or a number of epoch milliseconds; null for
 * anything else. A time without a zone is refused rather than read in the process's zone.
 */
export function readInstant(value: unknown): number | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.getTime();
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (dayPattern.test(text)) return checked(Date.parse(`${text}T00:00:00Z`));
  if (zonedPattern.test(text)) return checked(Date.parse(text.replace(' ', 'T')));
  return null;
}

function checked(epochMs: number): number | null {
  return Number.isNaN(epochMs) ? null : epochMs;
}
