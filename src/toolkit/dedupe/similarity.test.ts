import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jaroWinkler, levenshteinSimilarity, normaliseForMatching, similarity, tokenJaccard } from './similarity.ts';

const close = (actual: number, expected: number): void => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} is not ${expected}`);

describe('similarities for duplicate matching', () => {
  it('scores Jaro-Winkler as the textbook examples do', () => {
    close(jaroWinkler('martha', 'marhta'), 0.9611111111111111);
    close(jaroWinkler('dwayne', 'duane'), 0.84);
    close(jaroWinkler('dixon', 'dicksonx'), 0.8133333333333332);
    // Three matches out of order are one whole transposition, as the data plane counts them.
    close(jaroWinkler('dorothy green', 'anthony green'), 0.8128205128205129);
    assert.equal(jaroWinkler('abc', 'abc'), 1);
    assert.equal(jaroWinkler('ab', 'ba'), 0);
    assert.equal(jaroWinkler('', 'a'), 0);
  });

  it('scores Levenshtein as one less the edits over the longer length', () => {
    close(levenshteinSimilarity('smith', 'smyth'), 0.8);
    close(levenshteinSimilarity('123 main st', '123 main street'), 1 - 4 / 15);
    assert.equal(levenshteinSimilarity('', ''), 1);
  });

  it('scores token Jaccard on distinct words, so moved words still match', () => {
    assert.equal(tokenJaccard('john smith', 'smith john'), 1);
    close(tokenJaccard('acme foods inc', 'acme foods corp'), 2 / 4);
    assert.equal(similarity('exact', 'a b', 'a b'), 1);
    assert.equal(similarity('exact', 'a b', 'b a'), 0);
  });

  it('compares values lower-cased, without accents or punctuation, words single-spaced', () => {
    assert.equal(normaliseForMatching("  O'Brien-Smith,  Élodie Straße "), 'o brien smith elodie strasse');
    assert.equal(normaliseForMatching('Smith, John', true), 'john smith');
    assert.equal(normaliseForMatching(' -- '), null);
    assert.equal(normaliseForMatching(null), null);
    assert.equal(normaliseForMatching(2024), '2024');
  });
});
