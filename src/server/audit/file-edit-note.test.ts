import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileEditNote, maxAuditDiffChars } from './file-edit-note.ts';

describe('fileEditNote', () => {
  it('keeps a small diff whole, and marks a new file as created', () => {
    const note = fileEditNote('blocks/a.sql', undefined, 'SELECT 1\n');
    assert.deepEqual(note, { action: 'file.edit', target: 'blocks/a.sql', detail: { created: true, bytes: 9, diff: '--- a/blocks/a.sql\n+++ b/blocks/a.sql\n@@ -0,0 +1,1 @@\n+SELECT 1\n' } });
  });

  it('cuts a long diff and says how long it was', () => {
    const after = Array.from({ length: 10_000 }, (_, i) => `line ${i}`).join('\n');
    const note = fileEditNote('data/big.csv', '', after);
    assert.ok(note);
    const detail = note.detail as { diff: string; diffTruncated: boolean; diffChars: number };
    assert.equal(detail.diffTruncated, true);
    assert.ok(detail.diffChars > maxAuditDiffChars);
    assert.ok(detail.diff.length < maxAuditDiffChars + 100);
    assert.match(detail.diff, new RegExp(`diff cut at ${maxAuditDiffChars} of ${detail.diffChars} characters\\n$`));
  });

  it('says why there is no diff when the old content was too large to read', () => {
    assert.deepEqual(fileEditNote('data/huge.csv', null, 'a\n'), { action: 'file.edit', target: 'data/huge.csv', detail: { created: false, bytes: 2, diffOmitted: 'the previous content was over 2 MB' } });
  });
});
