import { SluiceError } from '../errors.ts';

/**
 * How a column of JS values is staged in the data plane. Columns are typed
 * from the first batch; `final` may narrow once every value has been seen
 * (numbers that were all integers become BIGINT).
 */
export interface StagingType {
  readonly kind: 'number' | 'bigint' | 'string' | 'boolean' | 'date' | 'json';
  readonly duck: 'DOUBLE' | 'BIGINT' | 'VARCHAR' | 'BOOLEAN' | 'TIMESTAMP';
  final: string;
  /** For numbers: every value so far was an integer within the safe range. */
  integers: boolean;
  /** Set once the first batch is seen: the column's type no longer changes. */
  locked?: boolean;
}

export function inferStagingType(rows: readonly Record<string, unknown>[], name: string): StagingType {
  for (const row of rows) {
    const value = row?.[name];
    if (value === null || value === undefined) continue;
    switch (typeof value) {
      case 'number':
        return { kind: 'number', duck: 'DOUBLE', final: 'BIGINT', integers: true };
      case 'bigint':
        return { kind: 'bigint', duck: 'BIGINT', final: 'BIGINT', integers: true };
      case 'string':
        return { kind: 'string', duck: 'VARCHAR', final: 'VARCHAR', integers: false };
      case 'boolean':
        return { kind: 'boolean', duck: 'BOOLEAN', final: 'BOOLEAN', integers: false };
      default:
        if (value instanceof Date) return { kind: 'date', duck: 'TIMESTAMP', final: 'TIMESTAMP', integers: false };
        return { kind: 'json', duck: 'VARCHAR', final: 'JSON', integers: false };
    }
  }
  return { kind: 'string', duck: 'VARCHAR', final: 'VARCHAR', integers: false };
}

/** Converts one value for its staged column, or explains which record does not fit. */
export function stageValue(value: unknown, staged: StagingType, column: string, record: number): unknown {
  if (value === null || value === undefined) return null;
  switch (staged.kind) {
    case 'string':
      if (typeof value === 'string') return value;
      if (value instanceof Date) return value.toISOString();
      if (typeof value === 'object') return JSON.stringify(value);
      return String(value);
    case 'number':
      if (typeof value === 'number') {
        if (staged.integers && !Number.isSafeInteger(value)) {
          if (staged.locked) {
            throw new SluiceError(
              'block.type_mismatch',
              `column '${column}' held whole numbers in the first batch, then ${value}; declare its type (e.g. DOUBLE) in the block's schema`,
              { location: { record } },
            );
          }
          staged.integers = false;
          staged.final = 'DOUBLE';
        }
        return value;
      }
      if (typeof value === 'bigint' && Number.isSafeInteger(Number(value))) return Number(value);
      return mismatch(value, staged, column, record);
    case 'bigint':
      if (typeof value === 'bigint') return value;
      if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
      return mismatch(value, staged, column, record);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      return mismatch(value, staged, column, record);
    case 'date':
      if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
      return mismatch(value, staged, column, record);
    case 'json':
      return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  }
}

function mismatch(value: unknown, staged: StagingType, column: string, record: number): never {
  const shown = typeof value === 'string' ? `'${value.slice(0, 40)}'` : value instanceof Date ? 'an invalid Date' : String(value);
  throw new SluiceError(
    'block.type_mismatch',
    `column '${column}' has ${describeType(value)} ${shown} where earlier rows had ${staged.kind} values; ` +
      `convert it, or declare the column's type in the block's schema`,
    { location: { record } },
  );
}

function describeType(value: unknown): string {
  if (value instanceof Date) return 'a Date';
  return `a ${typeof value}`;
}
