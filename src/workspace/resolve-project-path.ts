import { lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../core/errors.ts';

/** Folders the file API never touches: git's internals and Sluice's own state (tokens, secrets, run history). */
const hidden = new Set(['.git', '.sluice']);

/**
 * The one place a path from outside (an HTTP request) becomes a file of the
 * project. It takes a relative path as written, refuses anything that could
 * leave the project root or reach its private folders, and follows symlinks
 * (of the file, or of its nearest existing folder when the file is new) to
 * check where they really lead. Returns the absolute path to use.
 *
 * @example resolveProjectPath(root, 'blocks/clean.sql') // -> `${root}/blocks/clean.sql`
 */
export function resolveProjectPath(root: string, requested: string): string {
  const refuse = (why: string): never => {
    throw new ConfigError('files.outside_project', `the path '${printable(requested)}' is refused: ${why}`);
  };
  if (typeof requested !== 'string' || requested === '') refuse('it is empty');
  if (requested.includes('\0')) refuse('it contains a NUL character');
  // The router decoded the query once; what is still encoded was encoded twice, to slip past a check.
  if (/%(2e|2f|5c|00)/i.test(requested)) refuse('it contains encoded dots, slashes or NUL');
  if (requested.includes('\\')) refuse('use / to separate folders');
  if (path.isAbsolute(requested) || /^[A-Za-z]:/.test(requested)) refuse('absolute paths are not project files');
  const parts = requested.split('/');
  if (parts.some((p) => p === '..')) refuse("'..' leaves the folder");
  const named = parts.filter((p) => p !== '' && p !== '.');
  if (!named.length) refuse('it names the project folder itself');
  if (hidden.has(named[0]!)) refuse(`${named[0]}/ is private to git and Sluice`);

  const realRoot = realpathSync(root);
  const target = path.join(realRoot, ...named);
  let existing = target;
  // lstat, not exists: a dangling symlink must be followed (and judged), not walked past.
  while (!entryExists(existing)) existing = path.dirname(existing);
  let real = '';
  try {
    real = realpathSync(existing);
  } catch {
    refuse('it goes through a broken symlink');
  }
  const rest = path.relative(existing, target);
  const resolved = rest ? path.join(real, rest) : real;
  const inside = path.relative(realRoot, resolved);
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) refuse('it leads outside the project (through a symlink)');
  if (hidden.has(inside.split(path.sep)[0]!)) refuse('it leads into a private folder (through a symlink)');
  return resolved;
}

/** The path relative to the project root, with / separators, for answers. */
export function projectRelative(root: string, file: string): string {
  return path.relative(realpathSync(root), file).split(path.sep).join('/');
}

function entryExists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

function printable(text: string): string {
  return [...String(text)].map((ch) => (ch.charCodeAt(0) < 32 ? '?' : ch)).join('').slice(0, 200);
}
