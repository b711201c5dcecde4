import type { ConnectorContext, ReadResult } from '../../core/connectors/connector.ts';
import type { Column } from '../../core/data-plane/data-plane.ts';
import { ConnectorError } from '../../core/errors.ts';

/** The longest CSV line a server may write for one row (wide rows with large text or JSON). */
const maxLineBytes = 8 * 1024 * 1024;

export interface ServerCsv {
  /** The connector's kind, which prefixes the error codes (`mysql.read_failed`). */
  readonly kind: string;
  /** What was read, for messages: a table's label or "the query". */
  readonly label: string;
  /** The connection's name, for messages. */
  readonly connection: string;
  /** The file the server's rows were streamed to. */
  readonly file: string;
  /** The columns as the data plane must type them, in file order. */
  readonly columns: readonly Column[];
  /** The rows the server said it sent; a different count stored is an error, never a silent loss. */
  readonly rows: number;
  /** Where the block's output goes. */
  readonly location: string;
}

/**
 * Stores a server's result, already streamed to a CSV file, as the block's
 * output. The file is written the way PostgreSQL's COPY writes CSV (and the
 * MySQL reader imitates it): no header, NULL as an unquoted empty field and ''
 * as "", so the declared schema keeps names and types exactly. The count the
 * server reported must match the count stored: a data plane that stops early
 * (out of memory, say) would otherwise look like a smaller table.
 */
export async function storeServerCsv(csv: ServerCsv, context: ConnectorContext): Promise<ReadResult> {
  const failed = (reason: string, cause?: unknown): ConnectorError =>
    new ConnectorError(`${csv.kind}.read_failed`, `cannot store the rows of ${csv.label} from '${csv.connection}': ${reason}`, { cause });
  const stored = await context.session
    .storeFiles(
      {
        paths: [csv.file],
        format: 'csv',
        compression: 'none',
        csv: { header: false, delimiter: ',', quote: '"', escape: '"', schema: csv.columns, allowQuotedNulls: false, maxLineSize: maxLineBytes },
      },
      csv.location,
      context.signal,
    )
    .catch((error: unknown) => {
      if (context.signal.aborted) throw new ConnectorError(`${csv.kind}.cancelled`, `reading ${csv.label} was cancelled`, { cause: error });
      // The reader's message may quote a whole row; a line of it is enough.
      const line = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
      throw failed(line.length > 300 ? `${line.slice(0, 300)}...` : line, error);
    });
  if (stored.rows !== csv.rows) throw failed(`${csv.rows} rows were read but ${stored.rows} stored`);
  return {
    output: { location: stored.location, rows: stored.rows, columns: stored.columns },
    rowsIn: stored.rows,
    summary: `read ${stored.rows.toLocaleString('en-US')} rows from ${csv.label} in '${csv.connection}'`,
  };
}

/** The data plane's identifiers ignore case, so `"A"` and `"a"` from one result would collide there. */
export function checkUniqueColumnNames(kind: string, names: readonly string[], label: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name.toLowerCase())) {
      throw new ConnectorError(`${kind}.duplicate_column`, `${label} returns more than one column named '${name}' (names are compared ignoring case); give each a distinct alias`);
    }
    seen.add(name.toLowerCase());
  }
}
