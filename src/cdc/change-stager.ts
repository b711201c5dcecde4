import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { CapturedColumn, ChangeRow } from '../core/connectors/change-capture.ts';
import type { SyncContext, SyncInput } from '../core/connectors/sync-destination.ts';
import type { StoredOutput } from '../core/data-plane/data-plane.ts';

/** Rows landed as a session table, with the file that holds them (for drift to fingerprint). */
export interface StagedInput extends SyncInput {
  readonly stored: StoredOutput;
}

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
  async stage(name: string, columns: readonly CapturedColumn[], rows: AsyncIterable<readonly ChangeRow[]> | readonly ChangeRow[]): Promise<StagedInput> {
    const location = this.scratch(name);
    const types = Object.fromEntries(columns.map((c) => [c.name, c.type]));
    const batches = Array.isArray(rows) ? once(rows as readonly ChangeRow[]) : (rows as AsyncIterable<readonly ChangeRow[]>);
    return this.attach(name, await this.context.session.storeRows(batches, location, types));
  }

  /** Makes stored rows the session table `name`. */
  async attach(name: string, stored: StoredOutput): Promise<StagedInput> {
    await this.context.session.attach(name, stored);
    return { table: name, columns: stored.columns, rows: stored.rows, stored };
  }

  /** A new file to store rows in, removed with the others by `clear`. */
  scratch(name: string): string {
    mkdirSync(this.context.tempDir, { recursive: true });
    // A new file each time: the engine may keep reading a cached earlier file of the same name.
    const location = path.join(this.context.tempDir, `${name}-${process.pid}-${++this.stored}.parquet`);
    this.files.push(location);
    return location;
  }

  /** Removes the stored files; the session's names for them are replaced on the next `stage`. */
  async clear(): Promise<void> {
    await Promise.all(this.files.splice(0).map((file) => rm(file, { force: true })));
  }
}

async function* once(rows: readonly ChangeRow[]): AsyncIterable<readonly ChangeRow[]> {
  yield rows;
}
