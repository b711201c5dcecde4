import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { o200kPieceEnd, o200kSplitSource, scannable } from './o200k-pieces.ts';
import { tokenCounter, tokenEncodings } from './token-counter.ts';

const require = createRequire(import.meta.url);

/** A small seeded generator, so a failure names a text that reproduces. */
function randomTexts(count: number, alphabet: readonly string[], seed: number): string[] {
  let state = seed;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 0x100000000;
  };
  return Array.from({ length: count }, () => {
    let text = '';
    const length = Math.floor(next() * 24);
    for (let i = 0; i < length; i++) text += alphabet[Math.floor(next() * alphabet.length)];
    return text;
  });
}

/** Characters of every class the expression tells apart, ASCII and beyond. */
const alphabet = [
  ...'aZzA09 \t\n\r\v\f\'sSdDlLvVeErRmMtT.,/-()<|>_!?"#\u0000\u001f\u007f',
  ...'\u00A0\u2028\u3000\u200B\uFEFF\u00E9\u0301\u0308\u02B0\u01C5\u00AA\u05D0\u4E2D\u3042\u00B2\u0663\u2167\u00C9\u00DF\u0130\u1E9E\u2019\u00AB',
];

function expressionPieces(text: string): string[] {
  return [...text.matchAll(new RegExp(o200kSplitSource, 'gu'))].map((m) => m[0]);
}

function scannedPieces(text: string): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < text.length; ) {
    const end = o200kPieceEnd(text, start, text.length);
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

describe('o200k pieces', () => {
  it('is the expression gpt-tokenizer splits o200k_base text with', () => {
    const api = require('gpt-tokenizer/encoding/o200k_base') as { default: { bytePairEncodingCoreProcessor: { tokenSplitRegex: RegExp } } };
    assert.equal(api.default.bytePairEncodingCoreProcessor.tokenSplitRegex.source, o200kSplitSource);
  });

  it('finds the pieces the expression finds, on random text of every character class', () => {
    for (const text of [...randomTexts(40_000, alphabet, 7), 'Ticket 12: the customer\u00A0the  couldn\'t log in.\r\n\r\n\r\nThanks', "HELLO'S World'LL 1234567 x/\n/y"]) {
      assert.deepEqual(scannedPieces(text), expressionPieces(text), JSON.stringify(text));
    }
  });

  it('leaves text beyond the Basic Multilingual Plane to the expression', () => {
    assert.equal(scannable('plain and accentu\u00E9'), true);
    assert.equal(scannable('emoji \u{1F600}'), false);
  });
});

describe('tokenCounter', () => {
  it('counts as the package counts, with and without special-token text, and stops past the limit', () => {
    for (const encoding of tokenEncodings) {
      const api = require(`gpt-tokenizer/encoding/${encoding}`) as { countTokens(text: string, options?: object): number };
      const count = tokenCounter(encoding);
      const texts = [...randomTexts(5_000, [...alphabet, ' the', ' word', '<|endoftext|>', '\u{1F600}', 'ing'], 11), 'The quick brown fox <|endoftext|> jumps', 'word '.repeat(50)];
      for (const text of texts) {
        const expected = api.countTokens(text, { disallowedSpecial: new Set() });
        assert.equal(count(text, Infinity), expected, `${encoding} ${JSON.stringify(text)}`);
        assert.equal(count(text, expected), expected);
        if (expected > 0) assert.equal(count(text, expected - 1), false);
      }
    }
  });
});
