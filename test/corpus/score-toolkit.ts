/**
 * Prints, per tool, how many corpus values came out right, flagged (safe, but
 * work for a reviewer) and wrong (changed silently):
 *
 *   npx tsx test/corpus/score-toolkit.ts
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadDictionary, parseCountries, parseDates, parsePhones, parseUsStates, standardize } from '../../src/index.ts';
import { type Expected, type Outcome, scoreOutcomes } from './score-corpus.ts';

interface Column {
  readonly options?: Record<string, unknown>;
  readonly tool?: string;
  readonly cases: readonly (readonly [string, Expected])[];
}

function load(name: string): Column[] {
  return (JSON.parse(readFileSync(new URL(`./${name}.json`, import.meta.url), 'utf8')) as { columns: Column[] }).columns;
}

function outcomes(columns: Column[], run: (column: Column, inputs: string[]) => Outcome['got'][]): Outcome[] {
  return columns.flatMap((column) => {
    const got = run(column, column.cases.map(([input]) => input));
    return column.cases.map(([input, expected], i) => ({ input, expected, got: got[i]! }));
  });
}

const places = load('places');
const categories = JSON.parse(readFileSync(new URL('./categories.json', import.meta.url), 'utf8')) as { dictionary: string; threshold: number; cases: (readonly [string, Expected])[] };
const categoryDictionary = loadDictionary(fileURLToPath(new URL('.', import.meta.url)), categories.dictionary);
const tools: Record<string, Outcome[]> = {
  dates: outcomes(load('dates'), (column, inputs) => parseDates(inputs, column.options).values),
  phones: outcomes(load('phones'), (column, inputs) =>
    parsePhones(inputs, column.options).values.map((r) => ({ ...r, value: r.value === null ? null : `${r.value} ${r.type}` }))),
  'us states': outcomes(places.filter((c) => c.tool === 'states'), (_column, inputs) => parseUsStates(inputs).values),
  countries: outcomes(places.filter((c) => c.tool === 'countries'), (_column, inputs) => parseCountries(inputs).values),
  categories: outcomes([categories], (_column, inputs) => standardize(inputs, categoryDictionary, { threshold: categories.threshold }).values),
};

// "right" counts a value that should be flagged and was; "to flag" says how many the corpus expects flagged.
console.log('tool        values  to flag  right  flagged  wrong');
for (const [tool, results] of Object.entries(tools)) {
  const score = scoreOutcomes(results);
  const toFlag = results.filter((r) => r.expected !== null && typeof r.expected === 'object').length;
  console.log(`${tool.padEnd(11)} ${String(results.length).padStart(6)} ${String(toFlag).padStart(8)} ${String(score.right).padStart(6)} ${String(score.flagged).padStart(8)} ${String(score.wrong).padStart(6)}`);
  for (const miss of score.misses) console.log(`  ${JSON.stringify(miss.input)}: expected ${JSON.stringify(miss.expected)}, got ${JSON.stringify(miss.got)}`);
}
