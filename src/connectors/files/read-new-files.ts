import path from 'node:path';
import type { ConnectorContext, ReadResult } from '../../core/connectors/connector.ts';
import { quoteIdent } from '../../core/sql/quote.ts';
import { loadSeenFiles, matchFiles, newOrChanged, saveSeenFiles, seenFilesPath, type SeenFile } from './seen-files.ts';

/** Reads the given absolute paths into `location` (the connector's ordinary read). */
export type ReadPaths = (paths: readonly string[], location: string) => Promise<ReadResult>;

/**
 * An incremental read: only files that are new, or whose size or
 * modification time changed, since the block last read successfully. The
 * list of files read is saved only after the read succeeded, so a failed
 * read leaves it as it was and the next run reads the same files again.
 * With nothing new the output is empty, with the columns of the newest file.
 */
export async function readNewFiles(pattern: string, location: string, context: ConnectorContext, readPaths: ReadPaths): Promise<ReadResult> {
  const absolute = path.resolve(context.projectRoot, pattern);
  const stateFile = seenFilesPath(context.projectRoot, context.block, absolute);
  const seen = await loadSeenFiles(stateFile, pattern);
  const matched = await matchFiles(context.session, absolute);
  // Nothing matches at all: the ordinary read reports it as for any loader.
  if (matched.length === 0) return readPaths([absolute], location);
  const fresh = newOrChanged(matched, seen);
  if (fresh.length === 0) {
    const newest = matched.reduce((a, b) => (b.mtimeMs > a.mtimeMs ? b : a));
    const sample = await readPaths([newest.path], path.join(context.tempDir, `incremental-shape-${process.pid}.parquet`));
    const shape = `incremental_shape_${Date.now().toString(36)}`;
    await context.session.attach(shape, sample.output);
    const output = await context.session.storeQuery(`SELECT * FROM ${quoteIdent(shape)} LIMIT 0`, location, context.signal);
    return { output, rowsIn: 0, summary: `no new or changed files among the ${matched.length} matching ${pattern}` };
  }
  const result = await readPaths(fresh.map((f) => f.path), location);
  const files: Record<string, SeenFile> = {};
  // Files that vanished drop out of the list; one that comes back is read again.
  for (const f of matched) {
    const before = seen.files[f.path];
    if (before) files[f.path] = before;
  }
  for (const f of fresh) files[f.path] = { size: f.size, mtimeMs: f.mtimeMs };
  await saveSeenFiles(stateFile, { version: 1, pattern, files });
  const summary = `${result.summary ?? `read ${result.output.rows} rows`} from ${fresh.length} new or changed of ${matched.length} matching file${matched.length === 1 ? '' : 's'}`;
  return { ...result, summary };
}
