import type { BlockRunStatus, RunStatus } from '../run-store/run-store.ts';

/**
 * A run's or block run's outcome in words. Rejected rows are part of the
 * outcome: "succeeded with 3 rejected rows" is never shown as a plain success.
 *
 * @example describeOutcome('succeeded', 1) // 'succeeded with 1 rejected row'
 */
export function describeOutcome(status: RunStatus | BlockRunStatus, rowsRejected?: number): string {
  if (!rowsRejected) return status;
  return `${status} with ${rowsRejected.toLocaleString('en-US')} rejected row${rowsRejected === 1 ? '' : 's'}`;
}
