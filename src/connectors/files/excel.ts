import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ConnectorContext } from '../../core/connectors/connector.ts';
import type { ColumnTypes, Row, StoredOutput } from '../../core/data-plane/data-plane.ts';
import { ConfigError, SluiceError } from '../../core/errors.ts';
import type { FileReadSettings } from './file-settings.ts';

/**
 * Excel workbooks (.xlsx), read as a stream: rows are parsed as the zip is
 * inflated and handed to the data plane in batches, so a workbook of any size
 * is read in bounded memory (the shared-string table is the one thing kept).
 *
 * Types: the first batch decides each column's type, as for rows a
 * TypeScript block returns. Numbers are DOUBLE (Excel keeps every number as
 * one), dates TIMESTAMP, booleans BOOLEAN, anything else or a mix VARCHAR;
 * `columns` declares a type, and values are converted to it row by row.
 */

export const BATCH_ROWS = 2048;
/** Rejected rows kept for the rejects output (all are counted). */
const KEPT_REJECTS = 1000;
const SHEET_COLUMN = 'sheet';

/** A plain cell value; an error cell (`#DIV/0!`) is a CellError. */
type Plain = string | number | boolean | Date | null;

class CellError {
  constructor(readonly text: string) {}
}

type Cell = Plain | CellError;

/** Why a row cannot be used: a cell that is an error, does not convert, or lies beyond the header. */
class RowProblem {
  constructor(
    readonly column: number,
    readonly reason: string,
  ) {}
}

type Kind = 'number' | 'date' | 'boolean' | 'string';
type Declared = 'text' | 'integer' | 'decimal' | 'number' | 'boolean' | 'date' | 'timestamp' | 'timestamptz' | 'other';

interface OutputColumn {
  readonly name: string;
  /** The type `columns` gave, if any. */
  readonly type?: string | undefined;
  readonly declared?: Declared | undefined;
  /** For undeclared columns, decided by the first batch. */
  kind?: Kind;
}

/** A data row as read, before the columns are settled. */
interface PendingRow {
  readonly sheet: SheetState;
  readonly number: number;
  readonly cells: Cell[];
}

interface SheetState {
  readonly name: string;
  /** Output column index of each sheet column (1-based, by position); -1 for none. */
  slots: number[] | undefined;
  headerSeen: boolean;
}

export interface RejectedSheetRow {
  readonly file: string;
  readonly sheet: string;
  readonly line: number;
  readonly column: string | null;
  readonly reason: string;
  readonly row: string;
}

/** The parts of exceljs's streaming reader this module relies on. */
interface StreamedCell {
  readonly value: unknown;
  readonly numFmt?: string | undefined;
}
interface StreamedRow {
  readonly number: number;
  eachCell(callback: (cell: StreamedCell, column: number) => void): void;
}
interface StreamedSheet extends AsyncIterable<StreamedRow> {
  readonly name: string;
  readonly iterator?: { destroy?: () => void; on?: (event: 'error', listener: (error: Error) => void) => unknown } | undefined;
}
export interface StreamedWorkbook extends AsyncIterable<StreamedSheet> {
  readonly model?: { sheets?: readonly { name: string }[] } | undefined;
  readonly properties?: { model?: { date1904?: boolean } } | undefined;
}

const notForXlsx = ['delimiter', 'quote', 'escape', 'encoding', 'null', 'date_format', 'decimal', 'thousands', 'max_line_size', 'allow_nan_infinity'] as const;

/** Checks the settings that only make sense for (or not for) a workbook. */
export function checkSheetSettings(settings: FileReadSettings, isXlsx: boolean): void {
  if (isXlsx) {
    const given = notForXlsx.filter((key) => settings[key] !== undefined);
    if (given.length) throw new ConfigError('file.bad_settings', `${given.join(', ')} ${given.length > 1 ? 'apply' : 'applies'} to text files, not to an xlsx workbook`);
    if (settings.compression === 'gzip') throw new ConfigError('file.bad_settings', 'an xlsx workbook is compressed already; remove compression: gzip');
    if (/[*?[\]{}]/.test(settings.path)) throw new ConfigError('file.bad_settings', `xlsx is read one workbook at a time; '${settings.path}' is a pattern`);
  } else if (settings.sheet !== undefined || settings.sheets !== undefined) {
    throw new ConfigError('file.bad_settings', `'sheet' and 'sheets' apply to xlsx workbooks; ${settings.path} is not one (set format: xlsx if it is)`);
  }
}

export interface WorkbookRead {
  readonly output: StoredOutput;
  /** The sheets read, in the order read. */
  readonly sheets: readonly string[];
  /** Rows rejected (with on_error: reject), all counted; the first 1000 kept in `rejected`. */
  readonly rejectedCount: number;
  readonly rejected: readonly RejectedSheetRow[];
}

/**
 * How often a read whose streamed sheets fall short of the workbook's list is
 * tried again. The streaming reader parks sheets that come before the shared
 * strings in temporary files, and now and then leaves some of them out
 * (measured: 8, 9 or 10 of a 10-sheet workbook, run to run); a read that
 * still falls short fails rather than load part of the workbook.
 */
const shortReadAttempts = 3;

/** Reads a workbook's sheet (or every sheet) and stores its rows at `location`. */
export async function readXlsx(settings: FileReadSettings, location: string, context: ConnectorContext): Promise<WorkbookRead> {
  checkSheetSettings(settings, true);
  const file = path.resolve(context.projectRoot, settings.path);
  const shown = settings.path;
  checkWorkbookFile(file, shown);
  for (let attempt = 1; ; attempt++) {
    try {
      return await readWorkbookOnce(settings, location, context, file, shown);
    } catch (error) {
      if (!(error instanceof SluiceError) || error.code !== 'file.sheets_missing' || attempt >= shortReadAttempts) throw error;
      context.logger.warn(`${error.message}; reading it again (attempt ${attempt + 1} of ${shortReadAttempts})`);
    }
  }
}

async function readWorkbookOnce(settings: FileReadSettings, location: string, context: ConnectorContext, file: string, shown: string): Promise<WorkbookRead> {
  const { default: ExcelJS } = await import('exceljs');
  const input = createReadStream(file);
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    // Dates are numbers with a date format: styles tell them apart. Hyperlinks read as their text.
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  }) as unknown as StreamedWorkbook;
  const reader = new SheetReader(settings, file, shown, workbook, context);
  const batches = reader.batches();
  try {
    const first = await batches.next();
    const types = reader.columnTypes();
    const output = await context.session.storeRows(
      (async function* () {
        if (first.done) return;
        yield first.value;
        yield* batches;
      })(),
      location,
      types,
    );
    return { output, sheets: reader.sheetsRead, rejectedCount: reader.rejectedCount, rejected: reader.rejected };
  } catch (error) {
    throw readFailure(error, file, shown);
  } finally {
    await batches.return(undefined).catch(() => undefined);
    input.destroy();
  }
}

/** A zip archive starts with a local file header; anything else is not a workbook, whatever its name. */
function checkWorkbookFile(file: string, shown: string): void {
  const stat = statSync(file, { throwIfNoEntry: false });
  if (!stat) throw new SluiceError('file.read_failed', `cannot read ${shown}: no such file`, { location: { file } });
  if (!stat.isFile()) throw new SluiceError('file.read_failed', `cannot read ${shown}: not a file`, { location: { file } });
  const head = Buffer.alloc(4);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  if (head.readUInt32LE(0) !== 0x04034b50) {
    throw new SluiceError('file.read_failed', `cannot read ${shown}: not an xlsx workbook (an xlsx file is a zip archive; this one is not)`, { location: { file } });
  }
}

function readFailure(error: unknown, file: string, shown: string): SluiceError {
  if (error instanceof SluiceError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SluiceError('file.read_failed', `cannot read ${shown}: not a valid xlsx workbook (${message})`, { cause: error, location: { file } });
}

/** Reads the chosen sheets of one workbook into batches of row objects. */
export class SheetReader {
  readonly rejected: RejectedSheetRow[] = [];
  rejectedCount = 0;
  readonly sheetsRead: string[] = [];
  private columns: OutputColumn[] | undefined;
  private readonly filenameColumn: string | undefined;
  private readonly date1904: () => boolean;

  constructor(
    private readonly settings: FileReadSettings,
    private readonly file: string,
    private readonly shown: string,
    private readonly workbook: StreamedWorkbook,
    private readonly context: ConnectorContext,
  ) {
    this.filenameColumn = settings.filename === true ? 'filename' : typeof settings.filename === 'string' ? settings.filename : undefined;
    this.date1904 = () => workbook.properties?.model?.date1904 === true;
  }

  /** Output column types: declared ones, and those the first batch decided (VARCHAR when it had no value). */
  columnTypes(): ColumnTypes {
    const types: Record<string, string> = {};
    for (const column of this.columns ?? []) types[column.name] = column.type ?? kindType(column.kind);
    if (this.columns && this.settings.sheets === 'all') types[SHEET_COLUMN] = 'VARCHAR';
    if (this.columns && this.filenameColumn) types[this.filenameColumn] = 'VARCHAR';
    return types;
  }

  async *batches(): AsyncGenerator<Row[]> {
    const seen: string[] = [];
    let pending: PendingRow[] | undefined = [];
    let batch: Row[] = [];
    let position = 0;
    for await (const sheet of this.workbook) {
      position++;
      seen.push(sheet.name);
      if (!this.wanted(sheet.name, position)) {
        // Not read: close a sheet the reader parked in a temporary file (one still in the zip is skipped by it).
        // The reader removes that file as soon as the next sheet is asked for, which can be before the stream
        // finished opening it: the stream's ENOENT then is no failure of this read, and must not go unhandled.
        sheet.iterator?.on?.('error', () => undefined);
        sheet.iterator?.destroy?.();
        continue;
      }
      this.sheetsRead.push(sheet.name);
      const state: SheetState = { name: sheet.name, slots: undefined, headerSeen: !this.settings.header };
      for await (const streamed of sheet) {
        if (streamed.number <= (this.settings.skip ?? 0)) continue;
        const cells = this.cellsOf(streamed);
        if (cells.length === 0) continue; // an empty row
        if (!state.headerSeen) {
          state.headerSeen = true;
          this.takeHeader(state, cells);
          continue;
        }
        const row: PendingRow = { sheet: state, number: streamed.number, cells };
        if (pending) {
          pending.push(row);
          if (pending.length < BATCH_ROWS) continue;
          batch = this.settle(pending);
          pending = undefined;
        } else {
          const made = this.toRow(row);
          if (made) batch.push(made);
        }
        if (batch.length >= BATCH_ROWS) {
          this.context.signal.throwIfAborted();
          yield batch;
          batch = [];
        }
      }
    }
    this.checkNoneMissing(seen);
    if (this.sheetsRead.length === 0) {
      const wanted = this.settings.sheet === undefined ? 'any sheet' : typeof this.settings.sheet === 'number' ? `a sheet ${this.settings.sheet}` : `a sheet '${this.settings.sheet}'`;
      throw new ConfigError('file.unknown_sheet', `${this.shown} has no ${wanted}${seen.length ? `; its sheets: ${seen.join(', ')}` : ''}`, { location: { file: this.file } });
    }
    if (pending) batch = this.settle(pending);
    if (batch.length) yield batch;
  }

  /**
   * Fails when the workbook lists a wanted sheet the reader never returned:
   * loading the rest would pass off part of the workbook as all of it.
   */
  private checkNoneMissing(seen: readonly string[]): void {
    const listed = this.workbook.model?.sheets?.map((s) => s.name);
    if (!listed?.length) return;
    const missing = listed.filter((name, i) => !seen.includes(name) && this.wanted(name, i + 1));
    if (!missing.length) return;
    throw new SluiceError(
      'file.sheets_missing',
      `${this.shown}: the workbook lists ${listed.length} sheets but the reader returned ${seen.length}; missing ${missing.map((m) => `'${m}'`).join(', ')}`,
      { location: { file: this.file } },
    );
  }

  private wanted(name: string, position: number): boolean {
    const { sheet, sheets } = this.settings;
    if (sheets === 'all') return true;
    // Positions count in the workbook's tab order, which the zip need not follow.
    const order = this.workbook.model?.sheets?.map((s) => s.name);
    if (typeof sheet === 'string') return name === sheet || name.toLowerCase() === sheet.toLowerCase();
    const index = sheet ?? 1;
    return order?.length ? order[index - 1] === name : position === index;
  }

  /** The row's cells by column position (index 0 unused); empty when the row holds no value. */
  private cellsOf(row: StreamedRow): Cell[] {
    const cells: Cell[] = [];
    let last = 0;
    row.eachCell((cell, column) => {
      const value = plainValue(cell.value, cell.numFmt, this.date1904);
      if (value === null) return;
      cells[column] = value;
      if (column > last) last = column;
    });
    if (last === 0) return [];
    for (let c = 1; c <= last; c++) if (cells[c] === undefined) cells[c] = null;
    return cells;
  }

  private takeHeader(state: SheetState, cells: Cell[]): void {
    const names = headerNames(cells);
    if (!this.columns) {
      this.columns = names.map((name) => this.column(name));
      this.checkDeclared();
      this.checkExtraColumns();
      state.slots = [-1, ...names.map((_, i) => i)];
      return;
    }
    // A later sheet (sheets: all): its columns, by name, in any order; missing ones are null.
    const index = new Map(this.columns.map((c, i) => [c.name.toLowerCase(), i]));
    state.slots = [-1];
    for (const name of names) {
      const slot = index.get(name.toLowerCase());
      if (slot === undefined) {
        throw new ConfigError(
          'file.sheet_columns',
          `${this.shown}, sheet ${state.name}: column '${name}' is not among the columns of sheet ${this.sheetsRead[0]} (${this.columns!.map((c) => c.name).join(', ')}); with sheets: all every sheet needs the same header`,
          { location: { file: this.file } },
        );
      }
      state.slots.push(slot);
    }
  }

  private column(name: string): OutputColumn {
    const type = this.settings.columns?.[name];
    return { name, type, declared: type === undefined ? undefined : classify(type) };
  }

  private checkDeclared(): void {
    const names = new Set(this.columns!.map((c) => c.name));
    const unknown = Object.keys(this.settings.columns ?? {}).filter((name) => !names.has(name));
    if (unknown.length) {
      throw new ConfigError(
        'file.unknown_column',
        `columns names ${unknown.map((n) => `'${n}'`).join(', ')}, not in ${this.shown}; its columns: ${this.columns!.map((c) => c.name).join(', ')}`,
        { location: { file: this.file } },
      );
    }
  }

  private checkExtraColumns(): void {
    const taken = new Set(this.columns!.map((c) => c.name.toLowerCase()));
    for (const extra of [this.settings.sheets === 'all' ? SHEET_COLUMN : undefined, this.filenameColumn]) {
      if (extra && taken.has(extra.toLowerCase())) {
        throw new ConfigError('file.bad_settings', `${this.shown} has a column '${extra}' already; the column Sluice adds would take its name`, { location: { file: this.file } });
      }
    }
  }

  /** The first batch is in: settle the columns (without a header, as wide as its widest row) and their types. */
  private settle(pending: PendingRow[]): Row[] {
    if (!this.columns) {
      const width = pending.reduce((most, row) => Math.max(most, row.cells.length - 1), 0);
      this.columns = Array.from({ length: width }, (_, i) => this.column(`column_${i + 1}`));
      this.checkDeclared();
      this.checkExtraColumns();
    }
    const kinds = this.columns.map(() => new Set<Kind>());
    for (const row of pending) {
      const slots = this.slotsOf(row.sheet);
      for (let c = 1; c < row.cells.length; c++) {
        const value = row.cells[c];
        const slot = slots[c];
        if (slot !== undefined && slot >= 0 && value !== null && value !== undefined && !(value instanceof CellError)) kinds[slot]!.add(kindOf(value));
      }
    }
    // One kind of value makes the column's type; none, or a mix, makes it text.
    for (const [i, column] of this.columns.entries()) column.kind = kinds[i]!.size === 1 ? [...kinds[i]!][0]! : 'string';
    const rows: Row[] = [];
    for (const row of pending) {
      const made = this.toRow(row);
      if (made) rows.push(made);
    }
    return rows;
  }

  /** Without a header, a sheet's columns are the output's columns, by position. */
  private slotsOf(sheet: SheetState): number[] {
    return (sheet.slots ??= [-1, ...this.columns!.map((_, i) => i)]);
  }

  /** The output row, or undefined when the row is rejected (with on_error: fail, a row problem throws). */
  private toRow(pending: PendingRow): Row | undefined {
    const columns = this.columns!;
    const slots = this.slotsOf(pending.sheet);
    const values: unknown[] = new Array(columns.length).fill(null);
    try {
      for (let c = 1; c < pending.cells.length; c++) {
        const cell = pending.cells[c]!;
        const slot = slots[c];
        if (slot === undefined || slot < 0) {
          if (cell === null) continue;
          throw new RowProblem(c, `a value beyond the ${slots.length - 1} columns of the ${this.settings.header ? 'header' : 'first rows'}`);
        }
        if (cell === null) continue;
        if (cell instanceof CellError) throw new RowProblem(c, cell.text);
        const column = columns[slot]!;
        const fitted = column.declared ? toDeclared(cell, column.declared, column.type!, this.date1904()) : toKind(cell, column.kind!);
        if (fitted instanceof Problem) throw new RowProblem(c, fitted.reason);
        values[slot] = fitted;
      }
    } catch (problem) {
      if (!(problem instanceof RowProblem)) throw problem;
      this.reject(pending, problem);
      return undefined;
    }
    const row: Row = {};
    for (let i = 0; i < columns.length; i++) row[columns[i]!.name] = values[i];
    if (this.settings.sheets === 'all') row[SHEET_COLUMN] = pending.sheet.name;
    if (this.filenameColumn) row[this.filenameColumn] = this.file;
    return row;
  }

  private reject(row: PendingRow, problem: RowProblem): void {
    const letter = columnLetter(problem.column);
    const slot = row.sheet.slots?.[problem.column];
    const name = slot !== undefined && slot >= 0 ? this.columns![slot]!.name : undefined;
    const reason = `column ${letter}${name && name !== letter ? ` (${name})` : ''}: ${problem.reason}`;
    if (this.settings.on_error !== 'reject') {
      throw new SluiceError('file.bad_row', `${this.shown}, sheet ${row.sheet.name}, row ${row.number}, ${reason}`, { location: { file: this.file, line: row.number } });
    }
    this.rejectedCount++;
    if (this.rejected.length < KEPT_REJECTS) {
      this.rejected.push({
        file: this.file,
        sheet: row.sheet.name,
        line: row.number,
        column: name ?? letter,
        reason,
        row: row.cells.slice(1).map(cellText).join(','),
      });
    }
  }
}

/**
 * Header cells (index 0 unused) as column names, one per column: a blank cell
 * is `column_N` (N its position), a repeat `name_2`, `name_3`. Names compare
 * without case, as the data plane's do.
 */
export function headerNames(cells: readonly Cell[]): string[] {
  const texts = cells.slice(1).map((cell) => cellText(cell ?? null).trim());
  const taken = new Set(texts.filter(Boolean).map((t) => t.toLowerCase()));
  const used = new Set<string>();
  return texts.map((text, i) => {
    let name = text || `column_${i + 1}`;
    if (used.has(name.toLowerCase()) || (!text && taken.has(name.toLowerCase()))) {
      const base = name;
      let n = 2;
      while (taken.has(`${base}_${n}`.toLowerCase()) || used.has(`${base}_${n}`.toLowerCase())) n++;
      name = `${base}_${n}`;
    }
    used.add(name.toLowerCase());
    return name;
  });
}

/** Turns what the streaming reader gives for a cell into a plain value. */
function plainValue(value: unknown, numFmt: string | undefined, date1904: () => boolean): Cell {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? value : new CellError(`'${String(value)}' is not a number`);
    case 'string':
      return value === '' ? null : value;
    case 'boolean':
      return value;
    case 'object': {
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? new CellError('an invalid date') : value;
      const v = value as Record<string, unknown>;
      if (typeof v.error === 'string') return new CellError(v.error);
      if (Array.isArray(v.richText)) return (v.richText as { text?: unknown }[]).map((run) => (typeof run.text === 'string' ? run.text : '')).join('') || null;
      if ('formula' in v || 'sharedFormula' in v) {
        const result = v.result;
        const formula = String(v.formula ?? v.sharedFormula ?? '');
        // The reader keeps no error text for a formula: its cached error reads as NaN.
        if (typeof result === 'number' && Number.isNaN(result)) return new CellError(`an error value (formula =${formula})`);
        // Nor does it apply a date format to a formula's result.
        if (typeof result === 'number' && isDateFormat(numFmt)) return excelDate(result, date1904());
        return plainValue(result, numFmt, date1904);
      }
      if ('text' in v) return plainValue(v.text, numFmt, date1904); // a hyperlink
      if ('sharedString' in v) return new CellError('a shared string the workbook does not define');
      return JSON.stringify(value);
    }
    default:
      return String(value);
  }
}

function isDateFormat(format: string | undefined): boolean {
  if (!format) return false;
  const bare = format.replace(/\[[^\]]*\]/g, '').replace(/"[^"]*"/g, '').replace(/\\./g, '');
  return /[dmyhs]/i.test(bare);
}

/** An Excel serial day number as a Date (UTC wall time, as Excel has no time zone). */
function excelDate(serial: number, date1904: boolean): Date {
  return new Date(Math.round((serial - (date1904 ? 24107 : 25569)) * 86_400_000));
}

/** What a type named in `columns` asks of a value. */
function classify(type: string): Declared {
  const t = type.trim().toUpperCase().replace(/\s+/g, ' ');
  if (/^(VARCHAR|TEXT|STRING|CHAR|BPCHAR|NVARCHAR)\b/.test(t)) return 'text';
  if (/^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|INT1|INT2|INT4|INT8|LONG|SHORT|SIGNED)$/.test(t)) return 'integer';
  const decimal = /^(DECIMAL|NUMERIC) ?\( ?\d+ ?, ?(\d+) ?\)$/.exec(t);
  if (decimal && Number(decimal[2]) <= 9) return 'decimal';
  if (/^(DECIMAL|NUMERIC|DOUBLE|FLOAT|REAL|FLOAT4|FLOAT8)\b/.test(t)) return 'number';
  if (/^(BOOLEAN|BOOL|LOGICAL)$/.test(t)) return 'boolean';
  if (t === 'DATE') return 'date';
  if (/^(TIMESTAMPTZ|TIMESTAMP WITH TIME ZONE)$/.test(t)) return 'timestamptz';
  if (/^(TIMESTAMP|DATETIME)\b/.test(t)) return 'timestamp';
  return 'other';
}

function kindOf(value: Plain): Kind {
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (value instanceof Date) return 'date';
  return 'string';
}

function kindType(kind: Kind | undefined): string {
  switch (kind) {
    case 'number':
      return 'DOUBLE';
    case 'date':
      return 'TIMESTAMP';
    case 'boolean':
      return 'BOOLEAN';
    default:
      return 'VARCHAR';
  }
}

class Problem {
  constructor(readonly reason: string) {}
}

const shownValue = (value: Plain): string =>
  typeof value === 'string' ? `text '${value.length > 40 ? `${value.slice(0, 40)}…` : value}'` : value instanceof Date ? `the date ${timestampText(value)}` : `${typeof value} ${String(value)}`;

/** An undeclared column keeps the kind its first batch had; text takes anything. */
function toKind(value: Plain, kind: Kind): unknown {
  switch (kind) {
    case 'string':
      return cellText(value);
    case 'number':
      // As text: the engine reads it back as the same double, whatever the first batch held.
      if (typeof value === 'number') return String(value);
      break;
    case 'date':
      if (value instanceof Date) return value;
      break;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      break;
  }
  return new Problem(`${shownValue(value)} in a column of ${kind === 'date' ? 'dates' : kind === 'boolean' ? 'booleans' : 'numbers'}; declare its type in 'columns' (e.g. VARCHAR)`);
}

/** Converts a value to the type `columns` declares, in the form the data plane reads it. */
function toDeclared(value: Plain, declared: Declared, type: string, date1904: boolean): unknown {
  const text = typeof value === 'string' ? value.trim() : undefined;
  const bad = (): Problem => new Problem(`${shownValue(value)} is not a ${type}`);
  switch (declared) {
    case 'text':
      return cellText(value);
    case 'integer':
      if (typeof value === 'number') return Number.isInteger(value) ? String(value) : bad();
      return text !== undefined && /^[+-]?\d+$/.test(text) ? text : bad();
    case 'decimal':
    case 'number': {
      const number = typeof value === 'number' ? value : text !== undefined && numberText.test(text) ? Number(text) : undefined;
      if (number === undefined) return bad();
      // Small-scale decimals go as numbers (the data plane rounds them exactly); others as text, read back exactly.
      return declared === 'decimal' ? number : String(number);
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 1 || value === 0) return value === 1;
      if (text !== undefined && /^(true|false|yes|no)$/i.test(text)) return /^(true|yes)$/i.test(text);
      return bad();
    case 'date': {
      const date = toDate(value, date1904);
      if (date === undefined) return text !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(text) ? text : bad();
      if (date.getTime() % 86_400_000 !== 0) return new Problem(`${shownValue(value)} has a time of day; declare it TIMESTAMP`);
      return date.toISOString().slice(0, 10);
    }
    case 'timestamp':
    case 'timestamptz': {
      const date = toDate(value, date1904);
      const zone = declared === 'timestamptz' ? '+00' : '';
      if (date !== undefined) return timestampText(date) + zone;
      return text !== undefined && /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(text) ? text.replace('T', ' ') : bad();
    }
    case 'other':
      return cellText(value);
  }
}

const numberText = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function toDate(value: Plain, date1904: boolean): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return excelDate(value, date1904);
  return undefined;
}

function timestampText(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** A cell as text: dates at midnight as a day, others with their time. */
function cellText(value: Cell): string {
  if (value === null) return '';
  if (value instanceof CellError) return value.text;
  if (value instanceof Date) return value.getTime() % 86_400_000 === 0 ? value.toISOString().slice(0, 10) : timestampText(value);
  return String(value);
}

/** 1 -> A, 27 -> AA. */
export function columnLetter(column: number): string {
  let letters = '';
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}
