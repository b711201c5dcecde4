import { SluiceError } from '../errors.ts';

/**
 * An ISO 8601 instant in UTC with milliseconds, the form run stores keep, so
 * that `2024-05-01` and `2024-05-01T02:00:00+02:00` compare as instants.
 */
export function toInstant(value: string, what: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new SluiceError('run_store.invalid_time', `${what} is not a date or time: '${value}'`, { kind: 'usage' });
  return new Date(time).toISOString();
}
