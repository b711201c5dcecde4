/** Null, undefined and blank text: a value that is not there. */
export function isMissing(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

/** Text that names a value the same way whatever its type: 42, 42n and '42' are one group or category. */
export function keyOf(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}
