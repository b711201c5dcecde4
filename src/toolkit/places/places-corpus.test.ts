import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type Expected, type Outcome, scoreOutcomes } from '../../../test/corpus/score-corpus.ts';
import { parseCountries } from './parse-countries.ts';
import { parseUsStates } from './parse-us-states.ts';

interface CorpusColumn {
  readonly name: string;
  readonly tool: 'states' | 'countries';
  readonly cases: readonly (readonly [string, Expected])[];
}

const corpus = JSON.parse(readFileSync(new URL('../../../test/corpus/places.json', import.meta.url), 'utf8')) as { columns: CorpusColumn[] };
const tools = { states: parseUsStates, countries: parseCountries };

describe('parseUsStates and parseCountries on the labelled corpus', () => {
  const stateOutcomes: Outcome[] = [];
  for (const column of corpus.columns) {
    it(`gives every expected answer or flag in the ${column.name} column`, () => {
      const { values } = tools[column.tool](column.cases.map(([input]) => input));
      const mine = column.cases.map(([input, expected], i) => ({ input, expected, got: values[i]! }));
      if (column.tool === 'states') stateOutcomes.push(...mine);
      assert.deepEqual(scoreOutcomes(mine).misses, []);
    });
  }
  it('holds at least 50 spellings of US states and changes none silently', () => {
    assert.ok(stateOutcomes.length >= 50, `${stateOutcomes.length} state spellings`);
    assert.equal(scoreOutcomes(stateOutcomes).wrong, 0);
  });
});
