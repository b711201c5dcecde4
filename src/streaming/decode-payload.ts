import type { Row } from '../core/data-plane/data-plane.ts';
import type { SchemaContract } from '../core/pipeline/integration-schema.ts';
import type { PayloadSettings } from '../core/pipeline/streaming-schema.ts';
import { ConfigError } from '../core/errors.ts';
import { checkValue, inferRecordType, parseColumnType, RecordProblem, type RecordColumn } from './record-schema.ts';

/**
 * Turns message payloads into records with checked values. With declared
 * columns the schema is fixed; without, a JSON payload's columns are learned
 * as they appear (a new field adds a column, the sink table grows with it),
 * and every later value must fit the type first seen.
 */
export interface PayloadDecoder {
  /** A record, or a RecordProblem saying why the payload is poison. */
  decode(payload: Uint8Array): Row;
  /** The columns known so far, in the order they were declared or first seen. */
  columns(): readonly RecordColumn[];
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });

export function createPayloadDecoder(settings: PayloadSettings, where: string, contract: SchemaContract = 'evolve'): PayloadDecoder {
  const declared = settings.columns !== undefined;
  // Only evolve lets the schema change; under the others a field no column declares is a record that does not fit.
  const unknownFields = settings.unknown_fields ?? (contract === 'evolve' ? 'discard' : 'reject');
  const columns = new Map<string, RecordColumn>();
  for (const [name, spec] of Object.entries(settings.columns ?? (settings.format === 'text' ? { text: 'VARCHAR' } : {}))) {
    const column = parseColumnType(name, spec);
    if (!column) throw new ConfigError('stream.bad_column_type', `${where}: column ${name} has type '${spec}'; use BIGINT, INTEGER, DOUBLE, VARCHAR, BOOLEAN, TIMESTAMP or JSON, optionally NOT NULL`);
    columns.set(name, column);
  }
  // The columns as an array too, walked for every record (a Map's iterator would be an object per record).
  let columnList = [...columns.values()];
  if (settings.format === 'text' && columns.size !== 1) throw new ConfigError('stream.bad_columns', `${where}: a text payload fills one column; declare one, or leave columns out for a column named text`);

  const fromObject = (object: Record<string, unknown>): Row => {
    const row: Row = {};
    for (const name in object) {
      const value = object[name];
      let column = columns.get(name);
      if (!column) {
        if (declared) {
          if (unknownFields === 'reject') throw new RecordProblem(`field ${name} is not a declared column${contract === 'evolve' ? '' : ` and the schema contract is ${contract}`}`);
          continue;
        }
        const type = inferRecordType(value);
        if (!type) continue;
        column = { name, type, notNull: false };
        columns.set(name, column);
        columnList = [...columns.values()];
      }
      row[name] = checkValue(column, value);
    }
    for (let i = 0; i < columnList.length; i++) {
      const column = columnList[i]!;
      if (!(column.name in row)) row[column.name] = checkValue(column, null);
    }
    return row;
  };

  const decoders = {
    json(text: string): Row {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw new RecordProblem(`the payload is not JSON: ${(error as Error).message}`);
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new RecordProblem(`the payload is JSON but not an object (${Array.isArray(value) ? 'an array' : typeof value})`);
      return fromObject(value as Record<string, unknown>);
    },
    csv(text: string): Row {
      const fields = splitCsvLine(text.replace(/\r?\n$/, ''), settings.delimiter);
      const names = [...columns.keys()];
      if (fields.length !== names.length) throw new RecordProblem(`the CSV line has ${fields.length} fields; the payload declares ${names.length} columns (${names.join(', ')})`);
      return Object.fromEntries(names.map((name, i) => [name, checkValue(columns.get(name)!, fields[i] === '' ? null : fields[i])]));
    },
    text(text: string): Row {
      const column = [...columns.values()][0]!;
      return { [column.name]: checkValue(column, text) };
    },
  } satisfies Record<PayloadSettings['format'], (text: string) => Row>;

  return {
    decode(payload) {
      let text: string;
      try {
        text = textDecoder.decode(payload);
      } catch {
        throw new RecordProblem('the payload is not valid UTF-8 text');
      }
      return decoders[settings.format](text);
    },
    columns: () => [...columns.values()],
  };
}

/** One CSV line's fields: quotes group delimiters, a doubled quote is a quote. */
export function splitCsvLine(line: string, delimiter: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === delimiter) {
      fields.push(field);
      field = '';
    } else field += c;
  }
  if (quoted) throw new RecordProblem('the CSV line ends inside a quoted field');
  fields.push(field);
  return fields;
}
