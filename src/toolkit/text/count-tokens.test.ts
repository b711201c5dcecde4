import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { limitTokens } from './count-tokens.ts';

describe('limitTokens', () => {
  it('counts tokens offline and drops values over the maximum or under the minimum, with the reason', () => {
    const long = 'word '.repeat(50).trim();
    const { values, report } = limitTokens(['Hello, world!', long, 'Hi', '', null], { max: 20, min: 2 });
    assert.deepEqual(values, [
      { value: 'Hello, world!', tokens: 4 },
      { value: null, tokens: null, flag: 'invalid', reason: 'over the limit of 20 tokens' },
      { value: null, tokens: 1, flag: 'invalid', reason: '1 token, under the minimum of 2' },
      { value: null, tokens: 0, flag: 'invalid', reason: 'empty, under the minimum of 2 tokens' },
      { value: null, tokens: 0, flag: 'invalid', reason: 'empty, under the minimum of 2 tokens' },
    ]);
    assert.deepEqual({ kept: report.kept, tooLong: report.tooLong, tooShort: report.tooShort, keptTokens: report.keptTokens }, { kept: 1, tooLong: 1, tooShort: 3, keptTokens: 4 });
  });

  it('counts with the encoding asked for, and reads special-token text as plain text', () => {
    const text = 'The quick brown fox <|endoftext|> jumps';
    const o200k = limitTokens([text]).values[0]!.tokens!;
    const cl100k = limitTokens([text], { encoding: 'cl100k_base' }).values[0]!.tokens!;
    assert.ok(o200k > 5 && cl100k > 5);
    assert.equal(limitTokens(['word '.repeat(50).trim()]).values[0]!.tokens, 50, 'without a maximum every value is counted in full');
    assert.equal(limitTokens([''], { min: 0 }).values[0]!.flag, undefined, 'with min 0 an empty value is kept as missing');
    assert.throws(() => limitTokens([], { encoding: 'p50k' as never }), /no token encoding 'p50k'/);
    assert.throws(() => limitTokens([], { min: 5, max: 2 }), /min <= max/);
  });
});
