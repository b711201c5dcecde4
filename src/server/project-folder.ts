import { readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../core/errors.ts';
import { projectRelative, resolveProjectPath } from '../workspace/resolve-project-path.ts';

export interface FolderEntry {
  readonly name: string;
  /** Relative to the project root, with / separators: what a setting takes. */
  readonly path: string;
  readonly kind: 'folder' | 'file';
  readonly bytes: number | null;
}

export interface FolderListing {
  /** '' for the project root. */
  readonly path: string;
  readonly entries: readonly FolderEntry[];
  /** True when the folder held more than `limit` entries. */
  readonly truncated: boolean;
}

/** Never listed: git's internals and Sluice's own state, as the file API never opens them. */
const privateFolders = new Set(['.git', '.sluice']);

/**
 * One folder of the project, folders first then files by name, for the
 * file picker. The folder goes through the same resolver as every file path
 * from outside, so nothing outside the project can be listed.
 */
export function listProjectFolder(root: string, requested: string, limit = 500): FolderListing {
  const folder = requested.replace(/\/+$/, '') === '' ? realpathSync(root) : resolveProjectPath(root, requested);
  let names: string[];
  try {
    if (!statSync(folder).isDirectory()) throw new ConfigError('files.not_a_folder', `${requested} is a file, not a folder`);
    names = readdirSync(folder);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError('files.not_found', `no folder ${requested}`);
  }
  const atRoot = folder === realpathSync(root);
  const entries: FolderEntry[] = [];
  for (const name of names) {
    if (atRoot && privateFolders.has(name)) continue;
    const full = path.join(folder, name);
    try {
      const stat = statSync(full);
      entries.push({ name, path: projectRelative(root, full), kind: stat.isDirectory() ? 'folder' : 'file', bytes: stat.isDirectory() ? null : stat.size });
    } catch {
      // A dangling symlink names nothing to pick.
    }
  }
  entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'folder' ? -1 : 1));
  return { path: atRoot ? '' : projectRelative(root, folder), entries: entries.slice(0, limit), truncated: entries.length > limit };
}
