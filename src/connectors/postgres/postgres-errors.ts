import { ConnectorError, SluiceError, type ErrorLocation } from '../../core/errors.ts';
import { mask } from '../../core/project/secrets.ts';
import { lostConnectionText } from '../shared/lost-connection-text.ts';

/** The fields of a PostgreSQL error response that help a person act on it. */
interface ServerError extends Error {
  readonly code: string;
  readonly severity?: string;
  readonly detail?: string;
  readonly hint?: string;
  readonly position?: string;
  readonly where?: string;
}

export function isServerError(error: unknown): error is ServerError {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string' && 'severity' in error;
}

/** SQLSTATE classes where trying again later can succeed. */
function retryableState(state: string): boolean {
  return (
    state.startsWith('08') || // connection exception
    state.startsWith('53') || // insufficient resources
    state === '40001' || // serialization failure
    state === '40P01' || // deadlock
    state === '55P03' || // lock not available
    state === '57P01' || // admin shutdown
    state === '57P03' || // cannot connect now
    state === '42P07' // duplicate table: another writer created it first
  );
}

/** Two sessions creating one table at once collide in the catalog; the loser can simply try again. */
function catalogRace(error: { code?: string; constraint?: string }): boolean {
  return error.code === '23505' && (error.constraint ?? '').startsWith('pg_');
}

/** Authentication or a missing database: the same settings will fail again. */
const fatalConnectStates = new Set(['28000', '28P01', '3D000', '42501']);

/** Keeps a message readable when a server or reader quotes a whole (possibly huge) row. */
export function clip(text: string, length = 500): string {
  return text.length > length ? `${text.slice(0, length)}...` : text;
}

/** The text of any error, including AggregateError (several addresses tried) and socket errors. */
export function errorText(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length) return errorText(error.errors[0]);
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return error.message || (typeof code === 'string' ? code : error.name);
  }
  return String(error);
}

/** A failure to open a connection; `server` says where, without the password. */
export function connectError(error: unknown, connection: string, server: string): ConnectorError {
  const state = isServerError(error) ? error.code : undefined;
  const retryable = state === undefined ? true : !fatalConnectStates.has(state);
  const message = `cannot connect to PostgreSQL connection '${connection}' (${server}): ${errorText(error)}`;
  return new ConnectorError('postgres.connect_failed', mask(message), { cause: maskedCause(error), retryable });
}

export interface QueryErrorOptions {
  /** The SQL the user wrote, to turn the server's character position into a line and column. */
  readonly sql?: string;
  /** How many characters Sluice put before the user's SQL in the statement it sent. */
  readonly offset?: number;
  readonly block?: string;
  /** Names to show instead of internal ones (staging tables) in the server's text. */
  readonly rename?: readonly (readonly [string, string])[];
}

/** A PostgreSQL (or driver) error as a ConnectorError with the server's detail, hint and position. */
export function queryError(code: string, prefix: string, error: unknown, options: QueryErrorOptions = {}): SluiceError {
  if (error instanceof SluiceError) return error;
  const location: { -readonly [K in keyof ErrorLocation]: ErrorLocation[K] } = {};
  if (options.block) location.block = options.block;
  let text = errorText(error);
  let retryable = !isServerError(error);
  text = lostConnectionText(error, text);
  if (isServerError(error)) {
    retryable = retryableState(error.code) || catalogRace(error as { code?: string; constraint?: string });
    const parts = [error.message];
    if (error.detail) parts.push(clip(error.detail));
    if (error.hint) parts.push(`hint: ${error.hint}`);
    if (error.code === '55P03') parts.push("another session held a lock this statement needed for longer than the connection's lock_timeout; trying again later can succeed");
    if (error.where) parts.push(clip(error.where.split('\n')[0]!));
    if (error.position && options.sql !== undefined) {
      const place = lineAndColumn(options.sql, Number(error.position) - 1 - (options.offset ?? 0));
      if (place) {
        location.line = place.line;
        location.column = place.column;
        parts.push(`at line ${place.line}, column ${place.column} of the SQL`);
      }
    }
    text = parts.join('; ');
  }
  for (const [from, to] of options.rename ?? []) text = text.split(from).join(to);
  return new ConnectorError(code, mask(`${prefix}: ${text}`), {
    cause: maskedCause(error),
    retryable,
    ...(Object.keys(location).length ? { location } : {}),
  });
}

function lineAndColumn(sql: string, index: number): { line: number; column: number } | undefined {
  if (!Number.isFinite(index) || index < 0 || index > sql.length) return undefined;
  const before = sql.slice(0, index);
  const line = before.split('\n').length;
  return { line, column: index - before.lastIndexOf('\n') };
}

/** Causes travel with the error (logs, worker messages): keep their text free of secrets too. */
function maskedCause(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const copy = new Error(mask(errorText(error)));
  copy.name = error.name;
  return copy;
}
