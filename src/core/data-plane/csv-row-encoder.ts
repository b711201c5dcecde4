import { SluiceError } from '../errors.ts';
import type { Row } from './data-plane.ts';
import { inferStagingType, stageValue, type StagingType } from './js-values.ts';

export interface EncodedColumn {
  readonly name: string;
  readonly staged: StagingType;
}

/**
 * Turns batches of JS rows into CSV text that the data plane's CSV reader
 * loads with known column types. Text is the fastest way across the JS/engine
 * boundary: one string per batch instead of a conversion call per value.
 *
 * The dialect: comma, double quotes doubled inside quoted fields, an unquoted
 * empty field is NULL and a quoted empty field ("") is the empty string.
 */
export class CsvRowEncoder {
  private cols: EncodedColumn[] | undefined;
  private known = new Set<string>();
  private records = 0;

  constructor(private readonly declared: readonly string[]) {}

  get columns(): readonly EncodedColumn[] {
    return this.cols ?? [];
  }

  get rowCount(): number {
    return this.records;
  }

  encode(batch: readonly Row[]): string {
    if (batch.length === 0) return '';
    if (!this.cols) this.open(batch);
    this.checkKeys(batch[0]);
    const cols = this.cols!;
    const width = cols.length;
    let text = '';
    for (let r = 0; r < batch.length; r++) {
      const row = batch[r];
      const record = this.records + r + 1;
      if (row === null || typeof row !== 'object') {
        throw new SluiceError('block.bad_row', `a block returned ${row === null ? 'null' : typeof row} where a row object was expected`, { location: { record } });
      }
      let line = '';
      for (let c = 0; c < width; c++) {
        const col = cols[c]!;
        if (c > 0) line += ',';
        const value = row[col.name];
        if (value === null || value === undefined) continue;
        line += field(stageValue(value, col.staged, col.name, record), col.staged);
      }
      text += line + '\n';
    }
    this.records += batch.length;
    // The first batch decides each column's type, so the engine can start reading before the last row exists.
    for (const col of cols) col.staged.locked = true;
    return text;
  }

  private open(first: readonly Row[]): void {
    const names: string[] = [];
    const add = (key: string): void => {
      if (this.known.has(key)) return;
      this.known.add(key);
      names.push(key);
    };
    for (const row of first.slice(0, 1000)) if (row && typeof row === 'object') Object.keys(row).forEach(add);
    this.declared.forEach(add);
    this.cols = names.map((name) => ({ name, staged: inferStagingType(first, name) }));
  }

  /** New keys after the first batch would be dropped silently; refuse them (checked once per batch). */
  private checkKeys(row: Row | undefined): void {
    if (!row || typeof row !== 'object') return;
    for (const key in row) {
      if (!this.known.has(key)) {
        throw new SluiceError(
          'block.new_column',
          `column '${key}' appears after the first batch of rows; return it from the start (null where unknown) or declare it in the block's schema`,
          { location: { record: this.records + 1 } },
        );
      }
    }
  }
}

const needsQuotes = /[",\n\r]/;

function field(value: unknown, staged: StagingType): string {
  switch (staged.kind) {
    case 'string':
    case 'json': {
      const text = value as string;
      if (text === '') return '""';
      return needsQuotes.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
    }
    case 'date': {
      // UTC wall time with milliseconds, the form a TIMESTAMP column reads.
      const iso = (value as Date).toISOString();
      return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
    }
    default:
      return String(value);
  }
}
