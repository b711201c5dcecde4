import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { BlockOutputRef, OutputStore } from '../output-store/output-store.ts';

/** Which block run a file belongs to. */
export type RunFileRef = BlockOutputRef;

/** A JSON file name: letters, digits, `.`, `_` and `-`, ending in `.json`, so a name never leaves its folder. */
const fileNamePattern = /^[A-Za-z0-9_-][A-Za-z0-9._-]*\.json$/;

/**
 * Keeps `value` as the JSON file `name` of a block run (a prepare block's
 * fitted parameters), beside its output in the project's output store: the
 * local folder, or the bucket every worker and the server share. It is
 * removed with the run's outputs.
 */
export async function writeRunFile(outputs: OutputStore, ref: RunFileRef, name: string, value: unknown): Promise<void> {
  if (!fileNamePattern.test(name)) throw new RangeError(`'${name}' is not a run file name (letters, digits, . _ -, ending in .json)`);
  await outputs.writeFile(ref, name, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * The JSON files a block run left, by name; a file that no longer parses is
 * left out. Runs from before files went to the output store kept them in the
 * state folder (`.sluice/run-files/<pipeline>/<run id>/<block>/`), read when
 * the store has none.
 */
export async function readRunFiles(outputs: OutputStore, stateDir: string, ref: RunFileRef): Promise<Record<string, unknown>> {
  const kept = Object.entries(await outputs.readFiles(ref)).filter(([name]) => fileNamePattern.test(name));
  const texts = kept.length ? kept : legacyRunFiles(stateDir, ref);
  const files: Record<string, unknown> = {};
  for (const [name, text] of texts) {
    try {
      files[name] = JSON.parse(text);
    } catch {
      // Damaged: shown as missing rather than failing the whole run's page.
    }
  }
  return files;
}

function legacyRunFilesDir(stateDir: string, ref: Omit<RunFileRef, 'block'> & { readonly block?: string }): string {
  const run = path.join(stateDir, 'run-files', ref.pipeline, ref.runId);
  return ref.block === undefined ? run : path.join(run, ref.block);
}

function legacyRunFiles(stateDir: string, ref: RunFileRef): [string, string][] {
  const dir = legacyRunFilesDir(stateDir, ref);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => fileNamePattern.test(n))
    .sort()
    .map((name) => [name, readFileSync(path.join(dir, name), 'utf8')]);
}

/** Removes the files a run kept in the state folder before they went to the output store; removing what is not there is no error. */
export function deleteLegacyRunFiles(stateDir: string, pipeline: string, runId: string): void {
  rmSync(legacyRunFilesDir(stateDir, { pipeline, runId }), { recursive: true, force: true });
}
