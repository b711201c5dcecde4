import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateDuplicates, scorePairs } from '../../../test/corpus/generate-duplicates.ts';
import type { DedupeOptions } from './dedupe-settings.ts';
import { findDuplicates } from './find-duplicates.ts';

/** The settings the docs recommend for people and companies. */
export const peopleSettings: DedupeOptions = {
  columns: { name: { similarity: 'jaro_winkler', weight: 2, sortTokens: true }, street: 'jaro_winkler', email: 'levenshtein' },
  blocking: ['zip', 'email'],
  match: 0.9,
  review: 0.75,
};

describe('findDuplicates', () => {
  it('finds the duplicates of a labelled set of people and companies with high precision and recall', () => {
    // 300 people and companies, 30% written twice or three times with typos, swapped words, casing, abbreviations...
    const records = generateDuplicates({ entities: 300, duplicateShare: 0.3, zips: 20, seed: 7 });
    const found = findDuplicates(records, peopleSettings);
    const { precision, recall, truePairs } = scorePairs(records, found.clusterIds);
    assert.ok(truePairs >= 90, `the set holds ${truePairs} true pairs`);
    assert.ok(precision >= 0.97, `precision ${precision}`);
    assert.ok(recall >= 0.95, `recall ${recall}`);
    assert.equal(found.report.records, records.length);
    assert.ok(found.review.length > 0, 'borderline pairs go to review');
    for (const pair of found.review) assert.ok(pair.score >= 0.75 && pair.score < 0.9);
  });

  it('joins matched pairs into clusters transitively, named by their first record', () => {
    const records = [
      { name: 'Jonathan Smith', zip: '1' },
      { name: 'Jonathon Smith', zip: '1' },
      { name: 'Jon Smith', zip: '2' },
      { name: 'Jonathon Smyth', zip: '1' },
      { name: 'Maria Garcia', zip: '1' },
    ];
    const found = findDuplicates(records, { columns: { name: 'jaro_winkler' }, blocking: ['zip'], match: 0.9 });
    assert.deepEqual(found.clusterIds, [0, 0, 2, 0, 4]);
    assert.deepEqual(found.report, { records: 5, comparedPairs: 6, matchedPairs: found.matches.length, reviewPairs: 0, clusters: 1, duplicateRecords: 2, skippedBlocks: 0, recordsInSkippedBlocks: 0 });
  });

  it('leaves a column missing on either side out of the score, and a record with no key out of its pass', () => {
    const records = [
      { name: 'Acme Foods Inc', email: null, zip: '1' },
      { name: 'ACME FOODS, INC.', email: 'info@acme.example', zip: '1' },
      { name: 'Acme Foods Inc', email: 'info@acme.example', zip: null },
    ];
    const found = findDuplicates(records, { columns: { name: 'jaro_winkler', email: 'exact' }, blocking: ['zip'], match: 0.95 });
    assert.deepEqual(found.clusterIds, [0, 0, 2]);
    assert.deepEqual(found.matches[0]!.similarities, { name: 1, email: null });
  });

  it('compares pairs sharing any pass once, and counts blocks too big to compare instead of comparing them', () => {
    const records = Array.from({ length: 7 }, (_, i) => ({ name: `Ann Lee`, city: 'Oslo', zip: i < 2 ? 'A' : 'B' }));
    const settings = { columns: { name: 'exact' }, blocking: ['zip', ['city', 'name']], match: 1 } as const;
    const all = findDuplicates(records, settings);
    assert.equal(all.report.comparedPairs, 21, 'the 11 pairs sharing a ZIP code also share city and name');
    const capped = findDuplicates(records, { ...settings, maxBlockSize: 4 });
    assert.equal(capped.report.comparedPairs, 1);
    assert.equal(capped.report.skippedBlocks, 2);
    assert.equal(capped.report.recordsInSkippedBlocks, 12);
    assert.deepEqual(capped.clusterIds, [0, 0, 2, 3, 4, 5, 6]);
  });

  it('refuses settings it cannot follow', () => {
    assert.throws(() => findDuplicates([], { columns: { name: 'soundex' as never }, blocking: ['zip'], match: 0.9 }), /no similarity 'soundex'/);
    assert.throws(() => findDuplicates([], { columns: { name: 'exact' }, blocking: [], match: 0.9 }), /blocking key/);
    assert.throws(() => findDuplicates([], { columns: { name: 'exact' }, blocking: ['zip'], match: 0.9, review: 0.95 }), /review must be between 0 and match/);
  });
});
