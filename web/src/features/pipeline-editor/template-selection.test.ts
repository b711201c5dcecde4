import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { templateSelection } from './template-selection.ts';

describe('what a new block selects in its template', () => {
  it("selects a SQL test's rule, so typing writes the check", () => {
    const text = '-- check\nSELECT *\nFROM totals\nWHERE false\n';
    const { from, to } = templateSelection(text);
    assert.equal(text.slice(from, to), 'false');
    assert.equal(text.slice(0, from) + 'total <= 0' + text.slice(to), '-- check\nSELECT *\nFROM totals\nWHERE total <= 0\n');
  });

  it('selects any other template whole, so typing replaces it', () => {
    const text = '-- totals\nSELECT *\nFROM orders\n';
    assert.deepEqual(templateSelection(text), { from: 0, to: text.length });
  });
});
