import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type Expected, type Outcome, scoreOutcomes } from '../../../test/corpus/score-corpus.ts';
import { type ParseDatesOptions, parseDates } from './parse-dates.ts';

interface CorpusColumn {
  readonly name: string;
  readonly options: ParseDatesOptions;
  readonly cases: readonly (readonly [string, Expected])[];
}

const corpus = JSON.parse(readFileSync(new URL('../../../test/corpus/dates.json', import.meta.url), 'utf8')) as { columns: CorpusColumn[] };

describe('parseDates on the labelled corpus', () => {
  const outcomes: Outcome[] = [];
  for (const column of corpus.columns) {
    it(`gives every expected answer or flag in the ${column.name} column`, () => {
      const { values } = parseDates(column.cases.map(([input]) => input), column.options);
      const mine = column.cases.map(([input, expected], i) => ({ input, expected, got: values[i]! }));
      outcomes.push(...mine);
      assert.deepEqual(scoreOutcomes(mine).misses, []);
    });
  }
  it('changes no value silently across the whole corpus', () => {
    const score = scoreOutcomes(outcomes);
    assert.ok(outcomes.length >= 200, `the corpus holds ${outcomes.length} dates`);
    assert.equal(score.wrong, 0);
  });
});
