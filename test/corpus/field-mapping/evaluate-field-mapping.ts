/**
 * Scores field-mapping suggestions against the labelled table pairs in this
 * folder: for each source column, the target a careful person picks, or null
 * when the target has no column for it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { suggestFieldMapping, type FieldSample, type SuggestFieldMappingOptions } from '../../../src/toolkit/mapping/suggest-field-mapping.ts';

export interface MappingCase {
  readonly file: string;
  readonly about: string;
  readonly source: { readonly system: string; readonly table: string; readonly columns: readonly FieldSample[] };
  readonly target: { readonly system: string; readonly table: string; readonly columns: readonly FieldSample[] };
  readonly answers: Readonly<Record<string, string | null>>;
}

/** One source column's outcome. */
export interface PairOutcome {
  readonly file: string;
  readonly source: string;
  readonly expected: string | null;
  readonly got: string | null;
  readonly top3: readonly string[];
  /** right: the expected target (or no match when none is expected); flagged: no match offered where one was expected; wrong: another target. */
  readonly verdict: 'right' | 'flagged' | 'wrong';
  readonly inTop3: boolean;
}

export interface MappingScore {
  readonly pairs: number;
  readonly expectedNoMatch: number;
  readonly right: number;
  readonly flagged: number;
  readonly wrong: number;
  readonly top1: number;
  readonly top3: number;
  readonly outcomes: readonly PairOutcome[];
}

/**
 * The table pairs of one set: `tuning` (the top folder, which the vocabulary
 * was written alongside) or `held-out` (written after the scorer was frozen,
 * and never tuned on: the honest figure).
 */
export function loadMappingCorpus(set: 'tuning' | 'held-out' = 'tuning'): MappingCase[] {
  const folder = new URL(set === 'tuning' ? './' : './held-out/', import.meta.url);
  return readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, ...(JSON.parse(readFileSync(new URL(file, folder), 'utf8')) as Omit<MappingCase, 'file'>) }));
}

/** `strip` drops signals for an ablation: sample values (names and types only) or types too. */
export function evaluateFieldMapping(corpus: readonly MappingCase[], options: SuggestFieldMappingOptions & { strip?: 'values' | 'values-and-types' } = {}): MappingScore {
  const strip = (columns: readonly FieldSample[]): FieldSample[] =>
    columns.map((c) => ({ name: c.name, type: options.strip === 'values-and-types' ? '' : c.type, values: options.strip ? [] : c.values }));
  const outcomes: PairOutcome[] = [];
  for (const pair of corpus) {
    for (const s of suggestFieldMapping(strip(pair.source.columns), strip(pair.target.columns), options)) {
      const expected = pair.answers[s.source];
      if (expected === undefined) throw new Error(`${pair.file}: no answer for source column '${s.source}'`);
      const verdict = s.target === expected ? 'right' : s.target === null ? 'flagged' : 'wrong';
      const top3 = s.candidates.map((c) => c.target);
      outcomes.push({ file: pair.file, source: s.source, expected, got: s.target, top3, verdict, inTop3: expected === null ? s.target === null : top3.includes(expected) });
    }
  }
  const count = (p: (o: PairOutcome) => boolean) => outcomes.filter(p).length;
  return {
    pairs: outcomes.length,
    expectedNoMatch: count((o) => o.expected === null),
    right: count((o) => o.verdict === 'right'),
    flagged: count((o) => o.verdict === 'flagged'),
    wrong: count((o) => o.verdict === 'wrong'),
    top1: count((o) => o.verdict === 'right') / Math.max(1, outcomes.length),
    top3: count((o) => o.inTop3) / Math.max(1, outcomes.length),
    outcomes,
  };
}
