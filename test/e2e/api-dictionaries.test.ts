import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serveProject, type ServedProject } from './api-server.ts';

const post = (body: unknown, auth?: string): RequestInit & { auth?: string } => ({ method: 'POST', body: JSON.stringify(body), ...(auth !== undefined ? { auth } : {}) });

describe('sluice serve: dictionaries and review decisions written to their files', () => {
  let s: ServedProject;
  const outside = mkdtempSync(path.join(os.tmpdir(), 'sluice-dict-outside-'));
  after(async () => {
    await s?.close();
    rmSync(outside, { recursive: true, force: true });
  });
  before(async () => {
    s = await serveProject({
      'dictionaries/categories.yaml': '# kept by hand\nvalues:\n  Electronics: []\n  Books: []\n',
      'dictionaries/broken.yaml': 'values:\n  Books: [Comics]\n  Comics: []\n',
    });
    mkdirSync(path.join(outside, 'dictionaries'));
    writeFileSync(path.join(outside, 'dictionaries/elsewhere.yaml'), 'values:\n  A: []\n');
  });
  const read = () => readFileSync(path.join(s.dir, 'dictionaries/categories.yaml'), 'utf8');

  it('lists the dictionaries, a broken one with its file and line', async () => {
    const { status, body } = await s.json<{ dictionaries: { name: string; values: string[]; error?: { message: string; location?: { line?: number } } }[] }>('/api/dictionaries');
    assert.equal(status, 200);
    assert.deepEqual(body.dictionaries.map((d) => d.name), ['broken', 'categories']);
    assert.deepEqual(body.dictionaries[1]!.values, ['Electronics', 'Books']);
    assert.match(body.dictionaries[0]!.error!.message, /'Comics' is written like 'Books'/);
    assert.equal(body.dictionaries[0]!.error!.location?.line, 3);
  });

  it('writes a decision into the file, keeping its comment', async () => {
    const { status } = await s.json('/api/dictionaries/categories/decisions', post({ decisions: [{ value: 'Electrical', canonical: 'Electronics' }] }));
    assert.equal(status, 200);
    assert.equal(read(), '# kept by hand\nvalues:\n  Electronics: []\n  Books: []\nreviewed:\n  Electrical: Electronics\n');
  });

  it('refuses a decision naming no value, a name that is a path, and a caller without the token', async () => {
    const unknown = await s.json<{ error: { message: string } }>('/api/dictionaries/categories/decisions', post({ decisions: [{ value: 'Comix', canonical: 'Comics' }] }));
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.error.message, /dictionaries\/categories\.yaml:\d+:\d+: reviewed 'Comix' as 'Comics', which is not a value/);
    const escape = await s.api(`/api/dictionaries/${encodeURIComponent('../sluice')}/decisions`, post({ decisions: [{ value: 'x', canonical: 'y' }] }));
    assert.equal(escape.status, 400);
    const anonymous = await s.api('/api/dictionaries/categories/decisions', post({ decisions: [{ value: 'Novels', canonical: 'Books' }] }, ''));
    assert.equal(anonymous.status, 401);
    assert.doesNotMatch(read(), /Novels/);
  });

  it('refuses a dictionaries folder that links out of the project', async () => {
    rmSync(path.join(s.dir, 'dictionaries'), { recursive: true });
    symlinkSync(path.join(outside, 'dictionaries'), path.join(s.dir, 'dictionaries'));
    const linked = await s.api('/api/dictionaries/elsewhere/decisions', post({ decisions: [{ value: 'B', canonical: 'A' }] }));
    assert.equal(linked.status, 403);
    const { body } = await s.json<{ dictionaries: { name: string; values: string[]; error?: { code: string } }[] }>('/api/dictionaries');
    assert.deepEqual(body.dictionaries.map((d) => [d.name, d.values, d.error?.code]), [['elsewhere', [], 'files.outside_project']]);
    assert.equal(readFileSync(path.join(outside, 'dictionaries/elsewhere.yaml'), 'utf8'), 'values:\n  A: []\n');
  });
});
