import type { CopyStreamQuery } from 'pg-copy-streams';
import { ConnectorError, SluiceError } from '../../core/errors.ts';
import { clip, errorText } from './postgres-errors.ts';
import { binaryCopyHeader, binaryCopyTrailer, encodeChunk, type BinaryCopyPlan } from './postgres-binary-encoder.ts';
import { cancelled, copyError } from './postgres-copy-errors.ts';
import type { CopyOne, CopyTarget } from './postgres-copy-target.ts';


/**
 * Streams one data-plane query into one `COPY ... FROM STDIN (FORMAT binary)`
 * on `client`. The data plane hands over column chunks and asks for the next
 * one while this process encodes the current, and the server parses binary
 * rows with less work than CSV: its parse is what bounds a load. A chunk is
 * sent only when the socket has room, so memory stays at a few chunks. On
 * failure the COPY is abandoned (CopyFail) and the caller discards the session.
 */
export const copyBinary: CopyOne = async (driver, client, select, target, context, signal, single) => {
  const plan = target.binary;
  if (!plan) throw new Error('copyBinary needs a target with a binary plan');
  if (signal.aborted) throw cancelled(target, signal);
  const stop = new AbortController();
  let failure: SluiceError | undefined;
  let copySettled = false;
  const copy: CopyStreamQuery = driver.copyFrom(target.copySql);
  const fail = (error: SluiceError): void => {
    if (failure) return;
    failure = error;
    stop.abort(error);
    if (!copySettled) copy.destroy(error); // sends CopyFail: the server rolls this COPY back
  };
  const finished = new Promise<void>((resolve) => {
    copy.on('finish', () => {
      copySettled = true;
      resolve();
    });
    copy.on('error', (error) => {
      copySettled = true;
      fail(error instanceof SluiceError ? error : copyError(error, target, single));
      resolve();
    });
  });
  const onAbort = (): void => fail(cancelled(target, signal));
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    client.query(copy);
    copy.write(binaryCopyHeader);
    let streamed = 0;
    try {
      for await (const chunk of context.session.streamColumns(select, stop.signal)) {
        if (failure) break;
        if (streamed === 0) checkTypes(plan, chunk.types, target);
        streamed += chunk.rowCount;
        if (!copy.write(encodeChunk(plan, chunk))) await roomOrEnd(copy, finished);
      }
    } catch (error) {
      if (!failure) fail(error instanceof SluiceError ? error : new ConnectorError('postgres.copy_failed', `loading ${target.label}: reading the input failed: ${clip(errorText(error).split('\n')[0]!)}`, { cause: error }));
    }
    if (!failure) copy.end(binaryCopyTrailer);
    await finished;
    if (failure) throw failure;
    if (copy.rowCount !== streamed) {
      throw new ConnectorError('postgres.copy_failed', `loading ${target.label}: the data plane read ${streamed} rows but PostgreSQL received ${copy.rowCount}`);
    }
    return copy.rowCount;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
};

/** Waits until the socket takes more, or the COPY has ended either way. */
function roomOrEnd(copy: CopyStreamQuery, finished: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      copy.off('drain', done);
      copy.off('close', done);
      resolve();
    };
    copy.on('drain', done);
    copy.on('close', done);
    void finished.then(done);
  });
}

/**
 * The encoders were chosen for the input's declared types; a result of other
 * types would be misread, so it stops the load. JSON is text underneath, and
 * a streamed result reports it so.
 */
function checkTypes(plan: BinaryCopyPlan, types: readonly string[], target: CopyTarget): void {
  const layout = (type: string): string => (type === 'JSON' ? 'VARCHAR' : type);
  if (types.length === plan.types.length && types.every((t, i) => layout(t) === layout(plan.types[i]!))) return;
  throw new ConnectorError('postgres.copy_failed', `loading ${target.label}: the input's columns changed type while loading (expected ${plan.types.join(', ')}, read ${types.join(', ')})`);
}
