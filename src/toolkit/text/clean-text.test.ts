import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanText } from './clean-text.ts';
import { foldWhitespace } from './fold-whitespace.ts';
import { stripHtml } from './strip-html.ts';

describe('cleanText', () => {
  it('normalises Unicode, removes control and zero-width characters and folds whitespace, saying what it did', () => {
    const { values, report } = cleanText(['Cafe\u0301 au lait', 'zero\u200Bwidth\u0007 bell', '  a\u00A0b \t c  ', 'line one  \r\n\r\n\r\n\r\nline two', 'plain text', null, '\u200B']);
    assert.deepEqual(values, [
      { value: 'Café au lait', reason: 'normalised to NFC' },
      { value: 'zerowidth bell', reason: 'removed 2 control or zero-width characters' },
      { value: 'a b c', reason: 'folded whitespace' },
      { value: 'line one\n\nline two', reason: 'folded whitespace' },
      { value: 'plain text' },
      { value: null },
      { value: null, flag: 'invalid', reason: '"\u200B" has no text left once removed 1 control or zero-width character' },
    ]);
    assert.equal(report.changed, 4);
    assert.equal(report.controlCharactersRemoved, 3);
    assert.equal(report.invalid, 1);
    assert.equal(report.empty, 1);
  });

  it('folds compatibility forms with NFKC, and all whitespace when line breaks are not kept', () => {
    const { values } = cleanText(['ﬁne Ｔｅｘｔ x²', 'a\n\nb'], { form: 'NFKC', keepLineBreaks: false });
    assert.deepEqual(values.map((v) => v.value), ['fine Text x2', 'a b']);
  });

  it('strips HTML only when asked, keeping the text and its line breaks and decoding entities', () => {
    const html = '<div><p>Fish &amp; chips&nbsp;&#8212; <b>hot</b></p><script>alert(1)</script><!-- note --><br>&lt;tag&gt; &#x1F600; &bogus;</div>';
    assert.equal(stripHtml(html).trim(), 'Fish & chips\u00A0— hot\n  \n<tag> 😀 &bogus;');
    const { values, report } = cleanText([html, 'a < b'], { stripHtml: true });
    assert.deepEqual(values[0], { value: 'Fish & chips — hot\n\n<tag> 😀 &bogus;', reason: 'stripped HTML; folded whitespace' });
    assert.deepEqual(values[1], { value: 'a < b' });
    assert.equal(report.htmlStripped, 1);
    assert.equal(cleanText([html]).values[0]!.value, html, 'without stripHtml markup is text');
  });
});

describe('foldWhitespace', () => {
  /** The replacements the one pass stands for. */
  function byReplacements(text: string, keepLineBreaks: boolean): string {
    if (!keepLineBreaks) return text.replace(/\s+/g, ' ').trim();
    return text.replace(/\r\n?/g, '\n').replace(/[ \t\f\v]+/g, ' ').replace(/ ?\n ?/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
  }

  it('gives what the replacements give, on random text of spaces, tabs, line breaks and other characters', () => {
    const alphabet = [...' \t\f\v\r\n\nab.', '\u2028', '\u00A0', '\u3000', 'é'];
    let state = 3;
    const next = (): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 0x100000000;
    };
    for (let t = 0; t < 30_000; t++) {
      let text = '';
      const length = Math.floor(next() * 16);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(next() * alphabet.length)];
      for (const keep of [true, false]) assert.equal(foldWhitespace(text, keep), byReplacements(text, keep), JSON.stringify(text));
    }
  });
});
