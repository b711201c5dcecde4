import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Context } from 'hono';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

const notBuilt = `<!doctype html><html><head><meta charset="utf-8"><title>Sluice</title></head>
<body><h1>Sluice</h1><p>The web UI is not built. Run <code>npm run build:web</code> in the Sluice folder, then reload.</p>
<p>The JSON API is served under <code>/api</code>.</p></body></html>`;

/**
 * Serves the built UI (web/dist): a file when the path names one, else
 * index.html so the UI's own routes load on a reload (single-page fallback).
 */
export function serveStaticUi(dist: string): (c: Context) => Response {
  const root = path.resolve(dist);
  return (c) => {
    if (!existsSync(path.join(root, 'index.html'))) return c.html(notBuilt, 200);
    let rel: string;
    try {
      rel = decodeURIComponent(c.req.path);
    } catch {
      rel = '/';
    }
    const file = path.resolve(root, `.${path.posix.normalize(rel)}`);
    const inside = file.startsWith(root + path.sep);
    const target = inside && existsSync(file) && statSync(file).isFile() ? file : path.join(root, 'index.html');
    const type = contentTypes[path.extname(target)] ?? 'application/octet-stream';
    // Built assets carry a content hash in their names; index.html must always be fresh.
    const cache = target.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache';
    return c.body(readFileSync(target), 200, { 'Content-Type': type, 'Cache-Control': cache });
  };
}
