import type { Column, RejectedRow, Row, StoredOutput } from './data-plane.ts';

/** What the CSV reader needs from a data plane session. */
export interface CsvEngine {
  query(sql: string): Promise<Row[]>;
  storeQuery(sql: string, location: string, signal?: AbortSignal, params?: readonly unknown[], columns?: readonly Column[]): Promise<StoredOutput>;
  /** The engine's own rejects of the last scan that stored them, lines counted in the file. */
  readRejects(limit: number): Promise<RejectedRow[]>;
  /** Where transcoded copies of files wait while they are read. */
  readonly scratch: string;
}
