import { ConnectorError } from '../errors.ts';
import type { StreamState, SyncBatch } from './sync-destination.ts';

/**
 * Refuses a batch whose stream moved on since the caller read its state:
 * two syncs of one stream at once would otherwise both append the same rows.
 * `committed` is the state row read under lock in the batch's transaction.
 */
export function checkPreviousState(batch: SyncBatch, committed: StreamState | undefined, destination: string): void {
  if (batch.previousState === undefined) return;
  if (canonical(batch.previousState ?? undefined) === canonical(committed)) return;
  throw new ConnectorError(
    'integration.state_conflict',
    `stream '${batch.stream}' of pipeline '${batch.pipeline}': its state in '${destination}' changed while this sync ran (another sync of the same stream committed); this batch was rolled back. Run again to continue from the new state`,
    { retryable: true },
  );
}

/** JSON with sorted keys: databases (jsonb) may hand a state back with its keys in another order. */
export function canonical(state: StreamState | undefined): string {
  if (state === undefined) return 'none';
  // Objects inside arrays too (a windowed stream keeps its open windows as a list of objects).
  const sort = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(sort)
      : value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sort(v)]))
        : value;
  return JSON.stringify(sort(state));
}
