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
 */
export interface RowShaper {
  shape(records: readonly unknown[], format: BodyFormat, label: PageLabel): Row[];
}

export function createRowShaper(): RowShaper {
  let columns: string[] | undefined;
  let known: Set<string>;
  let recordsBefore = 0;
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
        for (const column of columns!) row[column] = cell(record[column], format);
        return row;
      });
      recordsBefore += records.length;
      return rows;
    },
  };
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
