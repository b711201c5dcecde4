import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { threadsForShare } from './block-run-worker.ts';

describe('threadsForShare', () => {
  it("gives each of a host's worker slots its share of the cores, at least one thread", () => {
    assert.equal(threadsForShare(2, 1), 2);
    assert.equal(threadsForShare(2, 2), 1);
    assert.equal(threadsForShare(16, 3), 5);
    assert.equal(threadsForShare(2, 8), 1);
    assert.equal(threadsForShare(4, 0), 4);
  });
});
