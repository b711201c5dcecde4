import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DataPlaneSession } from '../../core/data-plane/data-plane.ts';
import { ConnectorError } from '../../core/errors.ts';
import { quoteLiteral } from '../../core/sql/quote.ts';

/** A file as an incremental read saw it: a change in either means it is read again. */
export interface SeenFile {
  readonly size: number;
  readonly mtimeMs: number;
}

/** What an incremental loader has read so far, kept per block and path pattern. */
export interface SeenFiles {
  readonly version: 1;
  /** The pattern as the block names it, for a person reading the file. */
  readonly pattern: string;
  /** Absolute path to what was read. */
  readonly files: Readonly<Record<string, SeenFile>>;
}

export interface MatchedFile extends SeenFile {
  readonly path: string;
}

/**
 * Where the list lives: `.sluice/state/files/<block>-<hash>.json` in the
 * project, the hash taken over the absolute pattern so that changing the
 * block's path starts a fresh list rather than mixing two.
 */
export function seenFilesPath(projectRoot: string, block: string, absolutePattern: string): string {
  const hash = createHash('sha256').update(absolutePattern).digest('hex').slice(0, 12);
  const safe = block.replace(/[^A-Za-z0-9_.-]/g, '_');
  return path.join(projectRoot, '.sluice', 'state', 'files', `${safe}-${hash}.json`);
}

export async function loadSeenFiles(file: string, pattern: string): Promise<SeenFiles> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, pattern, files: {} };
    throw new ConnectorError('file.state_unreadable', `cannot read the list of files already loaded (${file}): ${(error as Error).message}`, { cause: error });
  }
  try {
    const parsed = JSON.parse(text) as SeenFiles;
    if (parsed.version !== 1 || typeof parsed.files !== 'object') throw new Error('unknown layout');
    return parsed;
  } catch (error) {
    throw new ConnectorError('file.state_unreadable', `the list of files already loaded (${file}) is damaged: ${(error as Error).message}; delete it to read every file again`, { cause: error });
  }
}

/** Written beside and renamed over, so a crash leaves the old list or the new one, never half of one. */
export async function saveSeenFiles(file: string, seen: SeenFiles): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, `${JSON.stringify(seen, null, 1)}\n`);
  await rename(partial, file);
}

/** The files a path or glob matches now, sorted, with their size and modification time. */
export async function matchFiles(session: DataPlaneSession, absolutePattern: string): Promise<MatchedFile[]> {
  const rows = await session.query(`SELECT file FROM glob(${quoteLiteral(absolutePattern)}) ORDER BY file`);
  const matched: MatchedFile[] = [];
  for (const row of rows) {
    const file = String(row.file);
    const info = await stat(file).catch(() => undefined);
    // Gone between the listing and now: the next run sees it, or does not.
    if (info?.isFile()) matched.push({ path: file, size: info.size, mtimeMs: info.mtimeMs });
  }
  return matched;
}

/** Files not in the list, or whose size or modification time changed since. */
export function newOrChanged(matched: readonly MatchedFile[], seen: SeenFiles): MatchedFile[] {
  return matched.filter((f) => {
    const before = seen.files[f.path];
    return !before || before.size !== f.size || before.mtimeMs !== f.mtimeMs;
  });
}
