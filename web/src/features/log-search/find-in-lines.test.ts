import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findInLines, splitOnMatches } from './find-in-lines.ts';

describe('findInLines', () => {
  it('finds the lines holding the query, ignoring case', () => {
    assert.deepEqual(findInLines(['Loaded 3 rows', 'retrying', 'loaded again'], 'LOADED'), [0, 2]);
  });

  it('finds nothing for an empty or blank query', () => {
    assert.deepEqual(findInLines(['a', 'b'], '  '), []);
  });
});

describe('splitOnMatches', () => {
  it('cuts the text around every occurrence, keeping its case', () => {
    assert.deepEqual(splitOnMatches('Row row ROW!', 'row'), [
      { text: 'Row', hit: true },
      { text: ' ', hit: false },
      { text: 'row', hit: true },
      { text: ' ', hit: false },
      { text: 'ROW', hit: true },
      { text: '!', hit: false },
    ]);
  });

  it('leaves the text whole without a query', () => {
    assert.deepEqual(splitOnMatches('plain', ''), [{ text: 'plain', hit: false }]);
  });
});
