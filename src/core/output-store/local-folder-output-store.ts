import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { SluiceError } from '../errors.ts';
import type { OutputRef, OutputStore } from './output-store.ts';

/**
 * Outputs as Parquet files in a folder of the project's state:
 * `<root>/<pipeline>/<run id>/<block>.parquet`. The data plane writes them in
 * place, so storing one costs nothing; any process on this machine reads them.
 */
export function createLocalFolderOutputStore(root: string): OutputStore {
  return {
    location({ pipeline, runId, block }: OutputRef) {
      const run = path.join(root, pipeline, runId);
      return block === undefined ? run : path.join(run, `${block}.parquet`);
    },
    async exists(location) {
      return existsSync(location);
    },
    async read(location) {
      if (!existsSync(location)) throw new SluiceError('outputs.missing', `no stored output at ${location}: it was removed, or never kept`);
      return location;
    },
    release() {
      // The kept file itself: nothing to prune.
    },
    stagingPath(location) {
      return location;
    },
    async write(location, staged) {
      if (path.resolve(staged) === path.resolve(location)) return;
      mkdirSync(path.dirname(location), { recursive: true });
      renameSync(staged, location);
    },
    async delete(location) {
      rmSync(location, { recursive: true, force: true });
    },
  };
}
