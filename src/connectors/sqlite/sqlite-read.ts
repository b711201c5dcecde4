import type { Database, Statement } from 'better-sqlite3';
import type { ConnectorContext, ReadResult } from '../../core/connectors/connector.ts';
import type { Row } from '../../core/data-plane/data-plane.ts';
import { createRowBuilder } from '../../core/data-plane/row-shapes.ts';
import { ConnectorError, SluiceError } from '../../core/errors.ts';
import type { TableRef } from './sqlite-catalog.ts';
import type { SqliteDriver } from './sqlite-driver.ts';
import { sqliteError } from './sqlite-errors.ts';
import { cellConverter, readTypeFor, resolveDynamic, ValueMismatch, type ReadType } from './sqlite-types.ts';

/** What to read: a statement, and how to name it in messages. */
export interface ReadSource {
  readonly sql: string;
  readonly label: string;
  /** Set when reading a whole table, so a missing one gets its own error. */
  readonly table?: TableRef;
}

/** Rows per batch handed to the data plane: big enough to amortise, small enough to keep memory flat. */
const batchRows = 10_000;

/**
 * Reads a statement's rows into the data plane. Rows are pulled from the
 * driver's iterator one batch at a time (memory stays bounded whatever the
 * size), integers as BigInt so all 64 bits arrive exactly, and every cell is
 * checked against its column's type (see sqlite-types.ts).
 */
export async function readSqlite(driver: SqliteDriver, source: ReadSource, location: string, context: ConnectorContext): Promise<ReadResult> {
  const db = driver.open();
  let rows: Iterator<unknown[]> | undefined;
  try {
    const statement = prepare(db, driver, source);
    statement.safeIntegers(true).raw(true);
    const names = statement.columns().map((c) => c.name);
    checkUniqueNames(names, source.label);
    rows = statement.iterate() as Iterator<unknown[]>;
    const first = pull(rows, driver, source);
    const types = names.map((name, c) => resolveColumn(statement.columns()[c]!.type, first.map((row) => row[c]), name, source.label));
    const declared = Object.fromEntries(names.map((name, c) => [name, types[c]!.duck!]));
    const batches = convertBatches(rows, first, names, types, driver, source, context);
    const stored = await context.session.storeRows(batches, location, declared);
    return {
      output: stored,
      rowsIn: stored.rows,
      summary: `read ${stored.rows.toLocaleString('en-US')} rows from ${source.label} in '${driver.name}'`,
    };
  } catch (error) {
    if (context.signal.aborted && !(error instanceof SluiceError && error.code === 'sqlite.cancelled')) {
      throw new ConnectorError('sqlite.cancelled', `reading ${source.label} was cancelled`, { cause: error });
    }
    throw sqliteError('sqlite.read_failed', `cannot read ${source.label} from '${driver.name}'`, error, { block: context.block });
  } finally {
    rows?.return?.();
    db.close();
  }
}

function prepare(db: Database, driver: SqliteDriver, source: ReadSource): Statement<unknown[]> {
  try {
    const statement = db.prepare<unknown[]>(source.sql);
    if (!statement.reader) {
      throw new ConnectorError('sqlite.not_a_query', `${source.label} returns no rows: give a SELECT (or a statement with RETURNING)`);
    }
    return statement;
  } catch (error) {
    if (source.table && /no such table/i.test((error as Error).message)) {
      throw new ConnectorError('sqlite.table_missing', `${source.table.label} does not exist in '${driver.name}' (${driver.file})`, { cause: error });
    }
    throw error;
  }
}

/** The next batch of raw rows (fewer at the end, none when done). */
function pull(rows: Iterator<unknown[]>, driver: SqliteDriver, source: ReadSource): unknown[][] {
  const batch: unknown[][] = [];
  try {
    for (let next = rows.next(); !next.done; next = rows.next()) {
      batch.push(next.value);
      if (batch.length === batchRows) break;
    }
  } catch (error) {
    throw sqliteError('sqlite.read_failed', `cannot read ${source.label} from '${driver.name}'`, error);
  }
  return batch;
}

function resolveColumn(declared: string | null, firstValues: readonly unknown[], name: string, label: string): ReadType {
  const type = readTypeFor(declared);
  if (type.kind !== 'dynamic') return type;
  const resolved = resolveDynamic(firstValues);
  if ('mixed' in resolved) {
    throw new ConnectorError(
      'sqlite.mixed_types',
      `column '${name}' of ${label} has no declared type and its first rows mix ${resolved.mixed.join(' and ')} values; CAST it to one type in a query`,
    );
  }
  return resolved;
}

async function* convertBatches(
  rows: Iterator<unknown[]>,
  first: unknown[][],
  names: readonly string[],
  types: readonly ReadType[],
  driver: SqliteDriver,
  source: ReadSource,
  context: ConnectorContext,
): AsyncGenerator<Row[]> {
  const converters = types.map(cellConverter);
  // Objects built by generated code keep one shape, which the data plane's encoder reads fastest.
  const build = createRowBuilder(names);
  let record = 0;
  for (let batch = first; batch.length; batch = pull(rows, driver, source)) {
    if (context.signal.aborted) throw new ConnectorError('sqlite.cancelled', `reading ${source.label} was cancelled`);
    const columns = names.map((_, c) => {
      const convert = converters[c]!;
      const values: unknown[] = new Array(batch.length);
      let r = 0;
      try {
        for (; r < batch.length; r++) values[r] = convert(batch[r]![c]);
      } catch (error) {
        if (!(error instanceof ValueMismatch)) throw error;
        throw new ConnectorError(
          'sqlite.bad_value',
          `row ${record + r + 1} of ${source.label}, column '${names[c]}': ${error.message}, which its type ${types[c]!.duck} needs`,
          { location: { block: context.block, record: record + r + 1 } },
        );
      }
      return values;
    });
    const out: Row[] = [];
    build(columns, batch.length, out);
    record += batch.length;
    yield out;
    if (batch.length < batchRows) return;
  }
}

/** The data plane's identifiers ignore case, so `"A"` and `"a"` would collide there. */
function checkUniqueNames(names: readonly string[], label: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name.toLowerCase())) {
      throw new ConnectorError('sqlite.duplicate_column', `${label} returns more than one column named '${name}' (names are compared ignoring case); give each a distinct alias`);
    }
    seen.add(name.toLowerCase());
  }
}
