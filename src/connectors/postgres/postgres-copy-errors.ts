import { ConnectorError, type SluiceError } from '../../core/errors.ts';
import { isServerError, queryError } from './postgres-errors.ts';

/** What a COPY's messages name: the target, and internal names to show as the target. */
interface CopyLabel {
  readonly label: string;
  readonly rename: readonly (readonly [string, string])[];
}

export function cancelled(target: CopyLabel, signal: AbortSignal): ConnectorError {
  return new ConnectorError('postgres.cancelled', `loading ${target.label} was cancelled`, { cause: signal.reason });
}

/** The server's error, naming the target (not the staging table) and, for one session, the input record. */
export function copyError(error: unknown, target: CopyLabel, single: boolean): SluiceError {
  const mapped = queryError('postgres.copy_failed', `loading ${target.label} failed`, error, { rename: target.rename });
  // Only a data or constraint error (SQLSTATE classes 22, 23) is about the row; a cut connection also names the line it reached.
  const line = isServerError(error) && /^2[23]/.test(error.code) ? /line (\d+)/.exec(error.where ?? '') : null;
  if (!single || !line) return mapped;
  return new ConnectorError(mapped.code, mapped.message, { cause: mapped.cause, retryable: mapped.retryable, location: { ...mapped.location, record: Number(line[1]) } });
}
