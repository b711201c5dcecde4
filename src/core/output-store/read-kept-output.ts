import { existsSync } from 'node:fs';
import type { OutputStore } from './output-store.ts';

/**
 * The local file a stored output is read from, or undefined when it is no
 * longer kept (retention removed it). Without an output store (a caller that
 * has none, such as an older program), the location is read as a local path.
 */
export async function readKeptOutput(outputs: OutputStore | undefined, location: string): Promise<string | undefined> {
  if (!outputs) return existsSync(location) ? location : undefined;
  return (await outputs.exists(location)) ? outputs.read(location) : undefined;
}
