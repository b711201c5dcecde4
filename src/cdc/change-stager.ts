import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { CapturedColumn, ChangeRow } from '../core/connectors/change-capture.ts';
import type { SyncContext, SyncInput } from '../core/connectors/sync-destination.ts';

/**
 * Lands CDC rows in the data plane (on disk) as session tables, so a
 * destination loads them with its own fast path (COPY, LOAD DATA, INSERT ...
 * SELECT) instead of row-by-row statements. Each column travels as the
 * data-plane type its connector chose for the source type, so values stay exact.
 */
export class ChangeStager {
  private readonly files: string[] = [];
  private stored = 0;

  constructor(private readonly context: SyncContext) {}

  /** Stores the rows as the session table `name` with these columns (a row may not hold others). */
  async stage(name: string, columns: readonly CapturedColumn[], rows: AsyncIterable<readonly ChangeRow[]> | readonly ChangeRow[]): Promise<SyncInput> {
    await mkdir(this.context.tempDir, { recursive: true });
    // A new file each time: the engine may keep reading a cached earlier file of the same name.
    const location = path.join(this.context.tempDir, `${name}-${process.pid}-${++this.stored}.parquet`);
    this.files.push(location);
    const types = Object.fromEntries(columns.map((c) => [c.name, c.type]));
    const batches = Array.isArray(rows) ? once(rows as readonly ChangeRow[]) : (rows as AsyncIterable<readonly ChangeRow[]>);
    const stored = await this.context.session.storeRows(batches, location, types);
    await this.context.session.attach(name, stored);
    return { table: name, columns: stored.columns, rows: stored.rows };
  }

  /** Removes the stored files; the session's names for them are replaced on the next `stage`. */
  async clear(): Promise<void> {
    await Promise.all(this.files.splice(0).map((file) => rm(file, { force: true })));
  }
}

async function* once(rows: readonly ChangeRow[]): AsyncIterable<readonly ChangeRow[]> {
  yield rows;
}
