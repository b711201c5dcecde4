import { ConnectorError } from '../../core/errors.ts';
import type { Row } from '../../core/data-plane/data-plane.ts';
import type { BodyFormat, PageLabel } from './rest-body.ts';

/**
 * Turns records into rows with one fixed set of columns: the fields of the
 * first page's records, in the order first seen. The data plane decides
 * column types from the first batch, so a field that first appears on a later
 * page fails clearly instead of being dropped. Nested objects and arrays stay
 * whole (the data plane stores them as JSON); a record that is not an object
 * becomes a row with one column, `value`.
 *
 * XML carries no types, so its values are text where JSON may say number or
 * boolean. A column whose values came typed from one format and as text from
 * the other fails, naming the column, unless the block declares its type in
 * `columns`: then both formats are read as that type.
 */
export interface RowShaper {
  shape(records: readonly unknown[], format: BodyFormat, label: PageLabel): Row[];
}

export function createRowShaper(declared: ReadonlySet<string> = new Set()): RowShaper {
  let columns: string[] | undefined;
  let known: Set<string>;
  let recordsBefore = 0;
  /** Per column: the kind of its first value and the format and page it came in. */
  const kinds = new Map<string, { kind: string; format: BodyFormat; request: string }>();
  return {
    shape(records, format, label) {
      const objects = records.map((record) => (record !== null && typeof record === 'object' && !Array.isArray(record) ? (record as Record<string, unknown>) : { value: record }));
      if (!columns) {
        known = new Set();
        columns = [];
        for (const record of objects) {
          for (const key of Object.keys(record)) {
            if (known.has(key)) continue;
            known.add(key);
            columns.push(key);
          }
        }
      }
      const rows = objects.map((record, r) => {
        for (const key in record) {
          if (!known.has(key)) {
            throw new ConnectorError(
              'rest.new_field',
              `connection '${label.connection}': record ${r + 1} of ${label.request} has a field '${key}' that no record of the first page had; ` +
                `the columns are fixed by the first page (${columns!.slice(0, 10).join(', ')}${columns!.length > 10 ? ', ...' : ''})`,
              { location: { record: recordsBefore + r + 1 } },
            );
          }
        }
        const row: Row = {};
        for (const column of columns!) {
          row[column] = cell(record[column], format);
          // A declared column travels as text whatever the format, and the data plane converts it to the declared type.
          if (declared.has(column)) row[column] = asText(row[column]);
          else checkKind(column, row[column], format, label, recordsBefore + r + 1);
        }
        return row;
      });
      recordsBefore += records.length;
      return rows;
    },
  };

  function checkKind(column: string, value: unknown, format: BodyFormat, label: PageLabel, record: number): void {
    if (value === null || typeof value === 'object') return;
    const kind = typeof value === 'bigint' ? 'number' : typeof value;
    const first = kinds.get(column);
    if (!first) {
      kinds.set(column, { kind, format, request: label.request });
      return;
    }
    if (first.kind === kind || first.format === format) return;
    throw new ConnectorError(
      'rest.format_types',
      `connection '${label.connection}': column '${column}' came as ${first.kind} in the ${first.format.toUpperCase()} of ${first.request} and as ${kind} in the ${format.toUpperCase()} of ${label.request}; ` +
        `XML values are text, so the two formats disagree: declare the type in the block's columns (e.g. columns: { ${column}: ${first.kind === 'number' || kind === 'number' ? 'DECIMAL(18,4)' : 'VARCHAR'} }) to read both the same way`,
      { location: { record } },
    );
  }
}

function asText(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean' ? String(value) : value;
}

/** XML has no null: an empty element (read as '') is one. */
function cell(value: unknown, format: BodyFormat): unknown {
  if (value === undefined) return null;
  if (format === 'xml') return xmlValue(value);
  return value;
}

function xmlValue(value: unknown): unknown {
  if (value === '') return null;
  if (Array.isArray(value)) return value.map(xmlValue);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, xmlValue(v)]));
  return value;
}
