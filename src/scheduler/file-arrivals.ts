import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { FileTrigger } from '../core/pipeline/file-trigger.ts';

export interface ArrivedFile {
  readonly path: string;
  /** Path, size and modification time: a rewritten file arrives again. */
  readonly key: string;
}

/** Files that match the trigger now, oldest first. */
export function matchingFiles(root: string, trigger: FileTrigger): ArrivedFile[] {
  const folder = path.resolve(root, path.dirname(trigger.path));
  const pattern = new RegExp(`^${path.basename(trigger.path).replace(/[.+^${}()|\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')}$`);
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  return names
    .filter((name) => pattern.test(name))
    .map((name) => {
      const file = path.join(folder, name);
      const stat = statSync(file, { throwIfNoEntry: false });
      return stat?.isFile() ? { path: path.relative(root, file), key: `${path.relative(root, file)}:${stat.size}:${stat.mtimeMs}`, mtime: stat.mtimeMs } : undefined;
    })
    .filter((f): f is ArrivedFile & { mtime: number } => f !== undefined)
    .sort((a, b) => a.mtime - b.mtime)
    .map(({ path: p, key }) => ({ path: p, key }));
}
