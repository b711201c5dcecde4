import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanTools } from './clean-tools.ts';

const clean = (tool: string, values: unknown[], settings: unknown) => cleanTools[tool]!.clean(values, cleanTools[tool]!.settings.parse(settings), { logicalDate: undefined, projectRoot: process.cwd() });

describe('the text tools of clean blocks', () => {
  it('cleans text with the settings a pipeline file writes', () => {
    assert.deepEqual(clean('text', ['<b>Ｈi</b>  there'], { form: 'NFKC', strip_html: true }), [{ value: 'Hi there', reason: 'stripped HTML; normalised to NFKC; folded whitespace' }]);
    assert.equal(cleanTools.text!.settings.safeParse({ form: 'NFD' }).success, false);
  });

  it('flags values outside the token limits, so a block after it can drop them', () => {
    const [kept, long, empty] = clean('tokens', ['a short answer', 'word '.repeat(40), null], { max: 10 });
    assert.equal(kept!.value, 'a short answer');
    assert.deepEqual([long!.flag, long!.reason], ['invalid', 'over the limit of 10 tokens']);
    assert.equal(empty!.flag, undefined, 'a missing value stays missing, not flagged');
    assert.equal(cleanTools.tokens!.settings.safeParse({ encoding: 'gpt2' }).success, false);
  });
});
