/** The data-plane types a streaming payload's columns may have. */
export const recordTypes = ['BIGINT', 'INTEGER', 'DOUBLE', 'VARCHAR', 'BOOLEAN', 'TIMESTAMP', 'JSON'] as const;
export type RecordType = (typeof recordTypes)[number];

export interface RecordColumn {
  readonly name: string;
  readonly type: RecordType;
  readonly notNull: boolean;
}

/** What makes a message poison: the problem, in words, naming the column when there is one. */
export class RecordProblem extends Error {}

/** `BIGINT NOT NULL` as a column; undefined when the type is not one a payload can have. */
export function parseColumnType(name: string, spec: string): RecordColumn | undefined {
  const match = /^\s*([A-Za-z]+)\s*(NOT\s+NULL)?\s*$/i.exec(spec);
  const type = match?.[1]!.toUpperCase() as RecordType | undefined;
  if (!type || !recordTypes.includes(type)) return undefined;
  return { name, type, notNull: Boolean(match![2]) };
}

/** The type a JSON value suggests, for a column no one declared. */
export function inferRecordType(value: unknown): RecordType | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'BIGINT' : 'DOUBLE';
  if (typeof value === 'boolean') return 'BOOLEAN';
  if (typeof value === 'string') return 'VARCHAR';
  return 'JSON';
}

/** The column's type as the data plane stores it (JSON travels as its text). */
export function storedType(type: RecordType): string {
  return type === 'JSON' ? 'VARCHAR' : type;
}

/** No closure per checked value: this runs for every field of every record. */
function refuseValue(column: RecordColumn, value: unknown): never {
  throw new RecordProblem(`column ${column.name} (${column.type}): ${JSON.stringify(value)?.slice(0, 80)} is not a valid value`);
}

/**
 * A value checked against its column: returned as the data plane takes it,
 * or refused with a reason. Nothing is rounded, truncated or guessed: "12.5"
 * is not a BIGINT, and "yes" is not a BOOLEAN.
 */
export function checkValue(column: RecordColumn, value: unknown): unknown {
  if (value === null || value === undefined || value === '') {
    if (value === '' && (column.type === 'VARCHAR' || column.type === 'JSON')) return value;
    if (column.notNull) throw new RecordProblem(`column ${column.name} is NOT NULL but the record has no value for it`);
    return null;
  }
  switch (column.type) {
    case 'BIGINT':
    case 'INTEGER': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
      if (!Number.isSafeInteger(n)) return refuseValue(column, value);
      if (column.type === 'INTEGER' && Math.abs(n) > 2 ** 31 - 1) return refuseValue(column, value);
      return n;
    }
    case 'DOUBLE': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      return Number.isFinite(n) ? n : refuseValue(column, value);
    }
    case 'BOOLEAN':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      return refuseValue(column, value);
    case 'VARCHAR':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      return refuseValue(column, value);
    case 'TIMESTAMP': {
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim())) return refuseValue(column, value);
      const date = new Date(value);
      return Number.isNaN(date.getTime()) ? refuseValue(column, value) : date;
    }
    case 'JSON':
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

