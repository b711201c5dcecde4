import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unifiedDiff } from './unified-diff.ts';

describe('unifiedDiff', () => {
  it('shows a changed line with three lines of context each side', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].join('\n') + '\n';
    const after = before.replace('e\n', 'E\n');
    assert.equal(unifiedDiff(before, after, 'x.sql'), '--- a/x.sql\n+++ b/x.sql\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n');
  });

  it('gives changes far apart hunks of their own', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i}`);
    const after = [...lines];
    after[1] = 'one';
    after[18] = 'eighteen';
    const diff = unifiedDiff(lines.join('\n'), after.join('\n'), 'f');
    assert.deepEqual(diff.split('\n').filter((l) => l.startsWith('@@')), ['@@ -1,5 +1,5 @@', '@@ -16,5 +16,5 @@']);
  });

  it('diffs a new file as all added, and an unchanged one as nothing', () => {
    assert.equal(unifiedDiff('', 'select 1\n', 'n.sql'), '--- a/n.sql\n+++ b/n.sql\n@@ -0,0 +1,1 @@\n+select 1\n');
    assert.equal(unifiedDiff('same', 'same', 'n.sql'), '');
  });

  it('keeps lines moved between insertions in place', () => {
    assert.equal(unifiedDiff('a\nb\nc\n', 'x\na\nc\ny\n', 'f'), '--- a/f\n+++ b/f\n@@ -1,3 +1,4 @@\n+x\n a\n-b\n c\n+y\n');
  });
});
