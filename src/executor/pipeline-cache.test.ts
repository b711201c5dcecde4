import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createPipelineCache } from './pipeline-cache.ts';

const roots: string[] = [];
after(() => roots.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

function project(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-pipeline-cache-'));
  roots.push(root);
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  return root;
}

/** Writes a file and gives it back its old time of change, so only its text tells the two apart. */
function rewriteKeepingTime(file: string, text: string): void {
  const stat = fs.statSync(file);
  fs.writeFileSync(file, text);
  fs.utimesSync(file, stat.atime, stat.mtime);
}

describe('the pipeline cache', () => {
  it('loads a pipeline once while its files keep their text, and sees a change to any of them at once', () => {
    const root = project({
      'sluice.yaml': 'name: demo\n',
      'pipelines/daily.yaml': 'blocks:\n  - { name: one, file: blocks/one.sql }\n',
      'blocks/one.sql': 'SELECT 1 AS n\n',
    });
    const cache = createPipelineCache(root);
    const first = cache.get('daily');
    assert.equal(cache.get('daily'), first, 'the same files are the same pipeline');
    // Same size, same time of change, written at once after the load: no settling time is needed.
    rewriteKeepingTime(path.join(root, 'blocks/one.sql'), 'SELECT 2 AS n\n');
    const second = cache.get('daily');
    assert.notEqual(second.version, first.version);
    assert.equal(cache.get('daily'), second);
    rewriteKeepingTime(path.join(root, 'pipelines/daily.yaml'), 'blocks:\n  - { name: two, file: blocks/one.sql }\n');
    assert.deepEqual(cache.get('daily').blocks.map((b) => b.name), ['two']);
  });

  it('reports a block file that went away instead of the pipeline it had loaded', () => {
    const root = project({ 'sluice.yaml': 'name: demo\n', 'pipelines/daily.yaml': 'blocks:\n  - { name: one, file: blocks/one.sql }\n', 'blocks/one.sql': 'SELECT 1 AS n\n' });
    const cache = createPipelineCache(root);
    cache.get('daily');
    fs.rmSync(path.join(root, 'blocks/one.sql'));
    assert.throws(() => cache.get('daily'), { code: 'block.file_missing' });
  });
});
