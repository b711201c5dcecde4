import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Hono } from 'hono';
import { securityHeaders } from './security-headers.ts';
import { serveStaticUi } from './static-ui.ts';

describe('serveStaticUi', () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'sluice-dist-'));
  const dist = path.join(base, 'dist');
  writeFileSync(path.join(base, 'secret.txt'), 'outside');
  after(() => rmSync(base, { recursive: true, force: true }));
  const app = new Hono();
  app.use('*', securityHeaders());
  app.get('*', serveStaticUi(dist));
  const get = async (route: string) => {
    const r = await app.request(route);
    return { status: r.status, type: r.headers.get('content-type') ?? '', csp: r.headers.get('content-security-policy') ?? '', text: await r.text() };
  };

  it('says how to build the UI while web/dist is missing', async () => {
    const page = await get('/');
    assert.equal(page.status, 200);
    assert.match(page.text, /npm run build:web/);
    assert.match(page.csp, /script-src 'self'/);
  });

  it('serves built files with their types, and index.html for the UI routes', async () => {
    mkdirSync(path.join(dist, 'assets'), { recursive: true });
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(path.join(dist, 'assets/app-1234.js'), 'console.log(1)');
    const script = await get('/assets/app-1234.js');
    assert.deepEqual([script.status, script.type, script.text], [200, 'text/javascript; charset=utf-8', 'console.log(1)']);
    for (const route of ['/', '/pipelines/sales', '/runs/20250101-x']) {
      const page = await get(route);
      assert.match(page.text, /id="root"/, route);
      assert.match(page.type, /text\/html/);
    }
  });

  it('never serves a file outside web/dist', async () => {
    for (const route of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      assert.doesNotMatch((await get(route)).text, /outside/, route);
    }
  });
});
