import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { MiddlewareHandler } from 'hono';
import { listPipelines, loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import { roleAtLeast } from '../../core/run-store/user-store.ts';
import { auditDiff } from './file-edit-note.ts';
import { unifiedDiff } from './unified-diff.ts';

/** One project file a request created, changed or deleted, as its audit entry shows it. */
export interface FileChange {
  readonly file: string;
  readonly change: 'created' | 'edited' | 'deleted';
  /** Unified diff; cut at 64 KB like a saved file's. */
  readonly diff: string;
  readonly diffTruncated?: true;
  readonly diffChars?: number;
}

declare module 'hono' {
  interface ContextVariableMap {
    /** The project files a changing request touched, for its audit entry. */
    fileChanges: readonly FileChange[];
  }
}

/** Files larger than this are left out of the comparison: a block file is far smaller, and the file itself is in git. */
const maxFileBytes = 2 * 1024 * 1024;

/**
 * The files an editor's change can touch: sluice.yaml, the pipeline files,
 * the dictionaries, and every file a pipeline's blocks name. Secret values
 * are never among them: the project keeps them in `.sluice/secrets.env` and
 * the files hold `${ENV}` references only.
 */
export function snapshotProjectFiles(root: string): Map<string, string> {
  const files = new Set<string>(['sluice.yaml']);
  for (const folder of ['pipelines', 'dictionaries']) {
    const dir = path.join(root, folder);
    if (existsSync(dir)) for (const name of readdirSync(dir)) if (/\.ya?ml$/.test(name)) files.add(`${folder}/${name}`);
  }
  for (const name of listPipelines(root)) {
    try {
      for (const block of loadPipeline(root, name).blocks) {
        if (!('file' in block) || !block.file) continue;
        const relative = path.relative(root, block.file);
        if (!relative.startsWith('..') && !path.isAbsolute(relative)) files.add(relative.split(path.sep).join('/'));
      }
    } catch {
      // A pipeline that does not load still has its file compared.
    }
  }
  const texts = new Map<string, string>();
  for (const file of files) {
    const full = path.join(root, file);
    try {
      if (statSync(full).isFile() && statSync(full).size <= maxFileBytes) texts.set(file, readFileSync(full, 'utf8'));
    } catch {
      // Not there: nothing to compare.
    }
  }
  return texts;
}

/** What changed between two snapshots, file by file, in name order. */
export function diffSnapshots(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): FileChange[] {
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();
  return names.flatMap((file): FileChange[] => {
    const [a, b] = [before.get(file), after.get(file)];
    if (a === b) return [];
    return [{ file, change: a === undefined ? 'created' : b === undefined ? 'deleted' : 'edited', ...auditDiff(unifiedDiff(a ?? '', b ?? '', file)) }];
  });
}

const changing = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Compares the project's files before and after each change an editor or
 * admin makes, so the audit entry of any route that edits a pipeline, a
 * block, an alert or a dictionary carries who, which files and the diff,
 * without each route having to say so.
 */
export function projectFileChanges(root: string): MiddlewareHandler {
  return async (c, next) => {
    const principal = c.get('principal');
    if (!changing.has(c.req.method) || !principal || !roleAtLeast(principal.role, 'editor') || c.req.path.startsWith('/api/users')) return next();
    const before = snapshotProjectFiles(root);
    await next();
    if (c.res.status >= 400) return;
    const changes = diffSnapshots(before, snapshotProjectFiles(root));
    if (changes.length) c.set('fileChanges', changes);
  };
}
