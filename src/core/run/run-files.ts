import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Which block run a file belongs to. */
export interface RunFileRef {
  readonly pipeline: string;
  readonly runId: string;
  readonly block: string;
}

const runFilesFolder = 'run-files';

/**
 * Where a block run keeps the JSON files it leaves beside its output (a
 * prepare block's fitted parameters): `.sluice/run-files/<pipeline>/<run id>/<block>/`.
 * Without `block`, the folder of the whole run.
 */
export function runFilesDir(stateDir: string, ref: Omit<RunFileRef, 'block'> & { readonly block?: string }): string {
  const run = path.join(stateDir, runFilesFolder, ref.pipeline, ref.runId);
  return ref.block === undefined ? run : path.join(run, ref.block);
}

/** A JSON file name: letters, digits, `.`, `_` and `-`, ending in `.json`, so a name never leaves its folder. */
const fileNamePattern = /^[A-Za-z0-9_-][A-Za-z0-9._-]*\.json$/;

/** Keeps `value` as the JSON file `name` of a block run, written aside and renamed so a reader never sees half a file. */
export function writeRunFile(stateDir: string, ref: RunFileRef, name: string, value: unknown): string {
  if (!fileNamePattern.test(name)) throw new RangeError(`'${name}' is not a run file name (letters, digits, . _ -, ending in .json)`);
  const dir = runFilesDir(stateDir, ref);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  const staged = `${file}.${process.pid}.tmp`;
  writeFileSync(staged, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(staged, file);
  return file;
}

/** The JSON files a block run left, by name; a file that no longer parses is left out. */
export function readRunFiles(stateDir: string, ref: RunFileRef): Record<string, unknown> {
  const dir = runFilesDir(stateDir, ref);
  if (!existsSync(dir)) return {};
  const files: Record<string, unknown> = {};
  for (const name of readdirSync(dir).filter((n) => fileNamePattern.test(n)).sort()) {
    try {
      files[name] = JSON.parse(readFileSync(path.join(dir, name), 'utf8'));
    } catch {
      // Being replaced or damaged: the next read sees it whole.
    }
  }
  return files;
}

/** Removes a run's files with its outputs; removing what is not there is no error. */
export function deleteRunFiles(stateDir: string, pipeline: string, runId: string): void {
  rmSync(runFilesDir(stateDir, { pipeline, runId }), { recursive: true, force: true });
}
