import { ConnectorError, SluiceError, type ErrorLocation } from '../../core/errors.ts';

/** SQLite result codes where trying again later can succeed: another connection holds a lock, or the disk hiccuped. */
function retryableCode(code: string): boolean {
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_FULL';
}

export function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

export function isBusy(error: unknown): boolean {
  const code = sqliteCode(error);
  return code !== undefined && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}

/** A driver (or data-plane) error as a ConnectorError saying what failed, and whether a retry can help. */
export function sqliteError(code: string, prefix: string, error: unknown, location?: ErrorLocation): SluiceError {
  if (error instanceof SluiceError) return error;
  const driverCode = sqliteCode(error);
  const retryable = driverCode !== undefined && retryableCode(driverCode);
  const text = errorText(error).split('\n')[0]!;
  return new ConnectorError(code, `${prefix}: ${text}${driverCode ? ` (${driverCode})` : ''}`, {
    cause: error,
    retryable,
    ...(location && Object.keys(location).length ? { location } : {}),
  });
}
