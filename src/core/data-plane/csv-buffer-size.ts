/** The engine's own limit on one CSV line when none is set: 2 MiB. */
export const engineMaxLineSize = 2 * 1024 * 1024;

const smallestBuffer = 4 * 1024 * 1024;

/**
 * The CSV reader's buffer for a line limit. Left to itself the engine takes
 * sixteen lines' worth (32 MB at the default limit) per reading thread, which
 * is most of a run's memory; a buffer must hold two whole lines, and past a
 * few megabytes a bigger one reads no faster.
 */
export function csvBufferSize(maxLineSize: number): number {
  return Math.max(2 * maxLineSize, smallestBuffer);
}
