import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SluiceError } from '../errors.ts';
import { type BlockOutputRef, checkOutputFileName, type OutputRef, type OutputStore, outputFileNamePattern } from './output-store.ts';

/**
 * Outputs as Parquet files in a folder of the project's state:
 * `<root>/<pipeline>/<run id>/<block>.parquet`. The data plane writes them in
 * place, so storing one costs nothing; any process on this machine reads them.
 * Files a block run keeps beside its output are in `<block>.files/` next to it.
 */
export function createLocalFolderOutputStore(root: string): OutputStore {
  const filesDir = ({ pipeline, runId, block }: BlockOutputRef): string => path.join(root, pipeline, runId, `${block}.files`);
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
    async writeFile(ref, name, contents) {
      checkOutputFileName(name);
      const dir = filesDir(ref);
      mkdirSync(dir, { recursive: true });
      // Written aside and renamed, so a reader never sees half a file.
      const staged = path.join(dir, `.${name}.${process.pid}.tmp`);
      writeFileSync(staged, contents);
      renameSync(staged, path.join(dir, name));
    },
    async readFiles(ref) {
      const dir = filesDir(ref);
      if (!existsSync(dir)) return {};
      const names = readdirSync(dir).filter((name) => outputFileNamePattern.test(name) && !name.startsWith('.')).sort();
      return Object.fromEntries(names.map((name) => [name, readFileSync(path.join(dir, name), 'utf8')]));
    },
  };
}
