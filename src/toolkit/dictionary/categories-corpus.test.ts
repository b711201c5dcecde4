import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { type Expected, scoreOutcomes } from '../../../test/corpus/score-corpus.ts';
import { loadDictionary } from './dictionary-file.ts';
import { standardize } from './standardize.ts';

const corpusDir = fileURLToPath(new URL('../../../test/corpus/', import.meta.url));
const corpus = JSON.parse(readFileSync(new URL('categories.json', `file://${corpusDir}`), 'utf8')) as { dictionary: string; threshold: number; cases: [string, Expected][] };

describe('standardize on the labelled product categories', () => {
  it('holds at least 60 messy values and changes none silently', () => {
    assert.ok(corpus.cases.length >= 60, `${corpus.cases.length} values`);
    const { values } = standardize(corpus.cases.map(([input]) => input), loadDictionary(corpusDir, corpus.dictionary), { threshold: corpus.threshold });
    const score = scoreOutcomes(corpus.cases.map(([input, expected], i) => ({ input, expected, got: values[i]! })));
    assert.equal(score.wrong, 0, JSON.stringify(score.misses));
    // Flagged values are safe but cost a reviewer time: keep them a small share.
    assert.ok(score.right >= corpus.cases.length * 0.9, `${score.right} right of ${corpus.cases.length}`);
  });
});
