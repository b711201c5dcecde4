import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CsvBytes } from './csv-bytes.ts';

function written(write: (bytes: CsvBytes) => void, size?: number): string {
  const bytes = new CsvBytes(size);
  write(bytes);
  return bytes.view().toString('utf8');
}

describe('CsvBytes', () => {
  it('writes whole numbers in decimal, signs and the safe limits included', () => {
    for (const n of [0, -0, 7, -7, 10, 99, 100, 123456789, -1000000, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      assert.equal(written((b) => b.integer(n)), String(n));
    }
  });

  it('writes whole numbers across the split into runs of nine digits, where a quotient could round up', () => {
    const edges = [999_999_999, 1_000_000_000, 1_000_000_001, 1_733_567_000_123, 9_007_198_999_999_999, 9_007_199_000_000_000, 1e15, 1e15 - 1];
    let seed = 11;
    const random = Array.from({ length: 2000 }, () => {
      seed = (seed * 48271) % 2147483647;
      return Math.floor((seed / 2147483647) * 10 ** (1 + (seed % 15)));
    });
    for (const n of [...edges, ...random]) {
      assert.equal(written((b) => b.integer(n)), String(n));
      assert.equal(written((b) => b.integer(-n)), String(-n));
    }
  });

  it('writes scaled decimals with exactly their places, zero-padded', () => {
    assert.equal(written((b) => b.decimal(52104, false, 2)), '521.04');
    assert.equal(written((b) => b.decimal(5, true, 2)), '-0.05');
    assert.equal(written((b) => b.decimal(0, true, 2)), '0.00', 'no sign on zero');
    assert.equal(written((b) => b.decimal(7, false, 0)), '7');
    assert.equal(written((b) => b.decimal(1, false, 9)), '0.000000001');
    assert.equal(written((b) => b.decimal(Number.MAX_SAFE_INTEGER, true, 4)), '-900719925474.0991');
    assert.equal(written((b) => b.decimal(9_007_198_999_999_999, false, 9)), '9007198.999999999');
    assert.equal(written((b) => b.decimal(1_000_000_000, false, 9)), '1.000000000');
    assert.equal(written((b) => b.decimal(123, false, 9)), '0.000000123');
  });

  it('copies plain text and quotes text with commas, quotes or line breaks', () => {
    assert.equal(written((b) => b.text('plain words')), 'plain words');
    assert.equal(written((b) => b.text('')), '""');
    assert.equal(written((b) => b.text('a,b')), '"a,b"');
    assert.equal(written((b) => b.text('say "hi"')), '"say ""hi"""');
    assert.equal(written((b) => b.text('two\r\nlines')), '"two\r\nlines"');
  });

  it('writes any other text as UTF-8, quoted when it must be', () => {
    assert.equal(written((b) => b.text('Zoë Ørsted')), 'Zoë Ørsted');
    assert.equal(written((b) => b.text('王芳 🙂')), '王芳 🙂');
    assert.equal(written((b) => b.text('Müller, "GmbH"')), '"Müller, ""GmbH"""');
  });

  it('grows past its first size and keeps what it holds', () => {
    const long = 'é'.repeat(5000);
    const text = written((b) => {
      b.text('start');
      b.byte(44);
      b.text(long);
      b.byte(44);
      b.integer(42);
    }, 8);
    assert.equal(text, `start,${long},42`);
  });
});
