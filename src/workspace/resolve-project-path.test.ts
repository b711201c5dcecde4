import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { resolveProjectPath } from './resolve-project-path.ts';

describe('resolveProjectPath', () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'sluice-paths-'));
  const root = path.join(base, 'project');
  const outside = path.join(base, 'outside');
  mkdirSync(path.join(root, 'blocks'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(root, 'blocks/a.sql'), 'SELECT 1');
  writeFileSync(path.join(outside, 'x.txt'), 'x');
  symlinkSync(outside, path.join(root, 'out'));
  symlinkSync(path.join(root, 'blocks'), path.join(root, 'inner'));
  symlinkSync(path.join(root, '.sluice'), path.join(root, 'state'));
  after(() => rmSync(base, { recursive: true, force: true }));

  const refused = (p: string) => assert.throws(() => resolveProjectPath(root, p), (e: { code?: string }) => e.code === 'files.outside_project', p);

  it('resolves files inside the project, existing or new', () => {
    assert.equal(resolveProjectPath(root, 'blocks/a.sql'), path.join(realpathSync(root), 'blocks/a.sql'));
    assert.equal(resolveProjectPath(root, 'blocks/new/b.sql'), path.join(realpathSync(root), 'blocks/new/b.sql'));
    assert.equal(resolveProjectPath(root, './blocks//a.sql'), path.join(realpathSync(root), 'blocks/a.sql'));
  });

  it('follows symlinks that stay inside', () => {
    assert.equal(resolveProjectPath(root, 'inner/a.sql'), path.join(realpathSync(root), 'blocks/a.sql'));
  });

  it('refuses .., encoded dots and slashes, absolute paths, NUL and backslashes', () => {
    for (const p of ['../x', 'blocks/../../x', 'blocks/..', '%2e%2e/x', '%2E%2E%2Fx', 'a%2fb', '/etc/passwd', 'C:/x', 'a\0b', '..\\x', '', '.', './']) refused(p);
  });

  it('refuses git internals and Sluice state, directly or through a symlink', () => {
    for (const p of ['.git/config', '.sluice/api-token', './.sluice/secrets.env', 'state/secrets.env']) refused(p);
  });

  it('refuses symlinks that leave the project, for existing and new files', () => {
    refused('out/x.txt');
    refused('out/new.txt');
    refused('out');
  });
});
