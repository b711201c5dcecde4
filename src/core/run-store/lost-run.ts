import type { SerializedError } from '../errors.ts';

/** A running run that never sent a heartbeat counts as lost this long after it started. */
export const unclaimedRunGraceMs = 60_000;

/**
 * The error a reaped run ends with. `since` is its last heartbeat, or its start
 * when it never sent one. A retry can help: the run itself did not fail.
 */
export function lostRunError(since: string): SerializedError {
  return {
    code: 'run.lost',
    message: `the process running it stopped responding (no heartbeat since ${since})`,
    retryable: true,
    kind: 'run',
  };
}
