import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Hono } from 'hono';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.ts';
import { projectRelative, resolveProjectPath } from '../../workspace/resolve-project-path.ts';
import type { AppDependencies } from '../app-context.ts';
import { noteAudit } from '../audit/audit-trail.ts';
import { parseBody } from '../http-problem.ts';
import { fileEditNote } from '../audit/file-edit-note.ts';
import { answer } from '../route-answer.ts';

const maxFileBytes = 2 * 1024 * 1024;

const languages: Record<string, string> = {
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.js': 'javascript',
  '.sql': 'sql',
  '.yaml': 'yaml',
  '.yml': 'yaml',
  '.json': 'json',
  '.md': 'markdown',
  '.csv': 'csv',
};

const fileBody = z.object({ path: z.string().min(1).max(1000), content: z.string().max(maxFileBytes) }).strict();

/** What `PUT /api/files` takes. */
export type FileWriteRequest = z.input<typeof fileBody>;

/** Reading and writing project files, every path through the one resolver. */
export function fileRoutes(deps: AppDependencies): Hono {
  const app = new Hono();

  app.get('/files', (c) => {
    const file = resolveProjectPath(deps.root, c.req.query('path') ?? '');
    if (!existsSync(file) || !statSync(file).isFile()) throw new ConfigError('files.not_found', `no file ${c.req.query('path')}`);
    if (statSync(file).size > maxFileBytes) throw new ConfigError('files.too_large', `${c.req.query('path')} is larger than 2 MB; edit it outside the UI`);
    const rel = projectRelative(deps.root, file);
    return answer(c, 'GET /api/files', { path: rel, content: readFileSync(file, 'utf8'), language: languages[path.extname(file)] ?? 'text' });
  });

  app.put('/files', async (c) => {
    const body = await parseBody(c, fileBody);
    const file = resolveProjectPath(deps.root, body.path);
    if (existsSync(file) && !statSync(file).isFile()) throw new ConfigError('files.not_a_file', `${body.path} is a folder`);
    // Read for the audit diff; a file too large for the editor is not diffed either.
    const before = !existsSync(file) ? undefined : statSync(file).size <= maxFileBytes ? readFileSync(file, 'utf8') : null;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, body.content);
    const rel = projectRelative(deps.root, file);
    noteAudit(c, fileEditNote(rel, before, body.content));
    return answer(c, 'PUT /api/files', { path: rel, bytes: Buffer.byteLength(body.content) });
  });

  return app;
}
