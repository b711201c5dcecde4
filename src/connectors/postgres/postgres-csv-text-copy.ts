import type { ClientBase } from 'pg';
import type { CopyStreamQuery } from 'pg-copy-streams';
import { ConnectorError, type SluiceError } from '../../core/errors.ts';
import { cancelled, copyError } from './postgres-copy-errors.ts';
import type { CopyTarget } from './postgres-copy-target.ts';
import type { PostgresDriver } from './postgres-driver.ts';

/**
 * Sends CSV text held in memory (a streaming micro-batch) through one
 * `COPY ... FROM STDIN (FORMAT csv)` on `client`, checking that the server
 * took `rows` rows. On failure the COPY is abandoned (CopyFail) and the
 * caller discards the session.
 */
export async function copyCsvText(driver: PostgresDriver, client: ClientBase, csv: string, rows: number, target: CopyTarget, signal: AbortSignal): Promise<number> {
  if (signal.aborted) throw cancelled(target, signal);
  const copy: CopyStreamQuery = driver.copyFrom(target.copySql);
  let failure: SluiceError | undefined;
  const onAbort = (): void => {
    failure ??= cancelled(target, signal);
    copy.destroy(failure);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await new Promise<void>((resolve) => {
      copy.on('finish', resolve);
      copy.on('error', (error) => {
        failure ??= copyError(error, target, true);
        resolve();
      });
      client.query(copy);
      // A line of just `\.` would read as the end of the data: a one-column row holding that text is quoted instead.
      copy.end(csv.includes('\\.') ? csv.replace(/(^|\n)\\\.(?=\n)/g, '$1"\\."') : csv);
    });
    if (failure) throw failure;
    if (copy.rowCount !== rows) throw new ConnectorError('postgres.copy_failed', `loading ${target.label}: the batch held ${rows} rows but PostgreSQL received ${copy.rowCount}`);
    return copy.rowCount;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
