import { readCleanReviews } from '../../core/run/clean-review.ts';
import type { DictionaryCandidate } from './dictionary-index.ts';
import { loadDictionary } from './dictionary-file.ts';
import { standardize } from './standardize.ts';

/** Where a pending value was seen: a clean block's column, in its latest run. */
export interface ReviewSource {
  readonly pipeline: string;
  readonly block: string;
  readonly column: string;
  readonly runId: string;
  readonly count: number;
}

/** A value the latest runs left undecided against a dictionary, and still undecided by the file as it is now. */
export interface PendingValue {
  readonly value: string;
  /** Rows holding it, over every block that met it. */
  readonly count: number;
  readonly flag: string;
  readonly reason: string;
  readonly candidates: readonly DictionaryCandidate[];
  readonly seenIn: readonly ReviewSource[];
}

/**
 * The values waiting for review against dictionary `name`: every clean
 * block's latest review output for a column cleaned with that dictionary,
 * merged by value, most rows first. Each value is looked up again in the file
 * as it is now, so a decision already written (or a variant added by hand)
 * takes it off the list, and candidates reflect the current values.
 */
export function pendingReview(root: string, stateDir: string, name: string): PendingValue[] {
  const dictionary = loadDictionary(root, name);
  const pending = new Map<string, { value: PendingValue; sources: ReviewSource[] }>();
  for (const review of readCleanReviews(stateDir)) {
    for (const column of review.columns) {
      if (column.tool !== 'dictionary' || column.settings['dictionary'] !== name) continue;
      const threshold = typeof column.settings['threshold'] === 'number' ? column.settings['threshold'] : undefined;
      for (const row of column.rows) {
        const source = { pipeline: review.pipeline, block: review.block, column: column.column, runId: review.runId, count: row.count };
        const seen = pending.get(row.value);
        if (seen) {
          seen.sources.push(source);
          continue;
        }
        const now = standardize([row.value], dictionary, threshold !== undefined ? { threshold } : {}).values[0]!;
        if (!now.flag || now.match === 'reviewed') continue;
        pending.set(row.value, { value: { value: row.value, count: 0, flag: now.flag, reason: now.reason ?? '', candidates: now.candidates ?? [], seenIn: [] }, sources: [source] });
      }
    }
  }
  return [...pending.values()]
    .map(({ value, sources }) => ({ ...value, count: sources.reduce((sum, s) => sum + s.count, 0), seenIn: sources }))
    .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
}
