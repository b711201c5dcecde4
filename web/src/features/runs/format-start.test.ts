import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatStart } from './format-start.ts';

describe('formatStart', () => {
  it("writes a start time in the local zone, to the second, with the date's own fields", () => {
    const at = new Date(2026, 11, 6, 9, 3, 7);
    assert.equal(formatStart(at.toISOString()), '2026-12-06 09:03:07');
  });
  it('shows a dash for no time and the text for one it cannot read', () => {
    assert.equal(formatStart(undefined), '—');
    assert.equal(formatStart('soon'), 'soon');
  });
});
