import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { CsvRowEncoder } from '../core/data-plane/csv-row-encoder.ts';
import type { ColumnTypes, Row } from '../core/data-plane/data-plane.ts';
import type { SyncContext, SyncInput } from '../core/connectors/sync-destination.ts';

/**
 * Puts a micro-batch's rows into the data plane as a session table, where
 * SQL transformers query it and the sink loads it with its bulk path, or,
 * for a sink that loads text itself and no SQL to run, hands them over as
 * CSV text without the data plane. Files of earlier batches are removed as
 * each batch is done.
 */
export class BatchStager {
  private files: string[] = [];
  private made = 0;

  constructor(private readonly context: SyncContext) {}

  async stage(name: string, rows: readonly Row[], types: ColumnTypes): Promise<SyncInput> {
    const stored = await this.context.session.storeRows(single(rows), await this.nextLocation(name), types);
    await this.context.session.attach(name, stored);
    return { table: name, columns: stored.columns, rows: stored.rows };
  }

  /**
   * The rows as CSV text in the data plane's dialect, with the columns and
   * types staging them would give (declared `types` first, the rest from the
   * values): the same checks, none of the files.
   */
  inline(name: string, rows: readonly Row[], types: ColumnTypes): SyncInput {
    const encoder = new CsvRowEncoder(types);
    const csv = encoder.encode(rows);
    const columns = encoder.columns.map((c) => ({ name: c.name, type: types[c.name] ?? c.staged.final }));
    return { table: name, columns, rows: encoder.rowCount, csv };
  }

  /** Runs a query over the session's tables and makes its result the table `name`. */
  async query(name: string, sql: string): Promise<SyncInput> {
    const stored = await this.context.session.storeQuery(sql, await this.nextLocation(name), this.context.signal);
    await this.context.session.attach(name, stored);
    return { table: name, columns: stored.columns, rows: stored.rows };
  }

  async clear(): Promise<void> {
    await Promise.all(this.files.splice(0).map((file) => rm(file, { force: true })));
  }

  private async nextLocation(name: string): Promise<string> {
    await mkdir(this.context.tempDir, { recursive: true });
    // Never reuse a file name: the engine may still hold an earlier file of that name open.
    const file = path.join(this.context.tempDir, `${name}-${process.pid}-${++this.made}.parquet`);
    this.files.push(file);
    return file;
  }
}

async function* single(rows: readonly Row[]): AsyncIterable<readonly Row[]> {
  yield rows;
}
