import { ConnectorError, SluiceError } from '../../core/errors.ts';
import { mask } from '../../core/project/secrets.ts';
import { lostConnectionText } from '../shared/lost-connection-text.ts';

/** What mysql2 puts on the errors it raises, from the server or the socket. */
interface DriverError extends Error {
  readonly code?: string;
  readonly errno?: number;
  readonly sqlState?: string;
  readonly sqlMessage?: string;
}

function fields(error: unknown): DriverError {
  return (error instanceof Error ? error : new Error(String(error))) as DriverError;
}

/** Server errors where the same settings will fail again: credentials, a missing database, no rights. */
const fatalConnectErrors = new Set([1044, 1045, 1049, 1251, 1698, 1227, 3118, 4151]);

/** Server errors where trying again later can succeed. */
const retryableServerErrors = new Set([
  1040, // too many connections
  1053, // server shutdown in progress
  1205, // lock wait timeout
  1213, // deadlock
  1317, // query interrupted (e.g. by a failover)
  2006, // server has gone away
  2013, // lost connection during query
]);

/** True for errors from the server (they carry a SQL state); false for socket and driver errors. */
export function isServerError(error: unknown): boolean {
  return typeof fields(error).sqlState === 'string' && typeof fields(error).errno === 'number';
}

export function serverErrno(error: unknown): number | undefined {
  return isServerError(error) ? fields(error).errno : undefined;
}

/** The text of any error, including AggregateError (several addresses tried) and socket errors. */
export function errorText(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length) return errorText(error.errors[0]);
  const e = fields(error);
  return e.message || e.code || e.name;
}

/** A failure to open a connection; `server` says where, without the password. */
export function connectError(error: unknown, connection: string, server: string): ConnectorError {
  const errno = serverErrno(error);
  const retryable = errno === undefined ? true : !fatalConnectErrors.has(errno);
  const message = `cannot connect to MySQL connection '${connection}' (${server}): ${errorText(error)}`;
  return new ConnectorError('mysql.connect_failed', mask(message), { cause: maskedCause(error), retryable });
}

/** A MySQL (or driver) error as a ConnectorError; socket failures and transient server errors are retryable. */
export function queryError(code: string, prefix: string, error: unknown, block?: string): SluiceError {
  if (error instanceof SluiceError) return error;
  const errno = serverErrno(error);
  const retryable = errno === undefined ? true : retryableServerErrors.has(errno);
  const why = errno === 1205 ? "; another session held a lock this statement needed for longer than the connection's lock_timeout; trying again later can succeed" : '';
  const text = lostConnectionText(error, errorText(error));
  return new ConnectorError(code, mask(`${prefix}: ${clip(text)}${why}`), {
    cause: maskedCause(error),
    retryable,
    ...(block ? { location: { block } } : {}),
  });
}

/** Keeps a message readable when the server quotes a whole (possibly huge) statement or value. */
export function clip(text: string, length = 500): string {
  return text.length > length ? `${text.slice(0, length)}...` : text;
}

/** Causes travel with the error (logs, worker messages): keep their text free of secrets too. */
function maskedCause(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const copy = new Error(mask(errorText(error)));
  copy.name = error.name;
  return copy;
}
