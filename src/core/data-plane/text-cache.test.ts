import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TextCache } from './text-cache.ts';

describe('TextCache', () => {
  it('gives the decoded text of any bytes, repeated or not', () => {
    const cache = new TextCache();
    const values = ['', 'a', '2024-01-31', 'Zoë Ørsted', '佐藤 花子', 'x'.repeat(32), 'y'.repeat(33), '🙂'.repeat(20)];
    const encoded = values.map((v) => Buffer.from(v, 'utf8'));
    for (let round = 0; round < 3; round++) {
      encoded.forEach((bytes, i) => assert.equal(cache.text(bytes, 0, bytes.length), values[i]));
    }
  });

  it('reads from an offset, and never mistakes bytes that share a slot', () => {
    const cache = new TextCache();
    // Thousands of distinct values in a 4096-slot table: collisions are certain, wrong answers are not allowed.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 20000; i++) {
        const value = `v${i}`;
        const bytes = Buffer.from(`..${value}..`);
        assert.equal(cache.text(bytes, 2, bytes.length - 4), value);
      }
    }
  });
});
