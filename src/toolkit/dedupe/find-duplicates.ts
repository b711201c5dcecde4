import { resolveDedupeOptions, type DedupeOptions, type ResolvedDedupeOptions } from './dedupe-settings.ts';
import { normaliseForMatching, similarity } from './similarity.ts';
import { UnionFind } from './union-find.ts';

/** Two records compared: their positions (left before right), the score and each column's similarity (null when a side is missing). */
export interface ScoredPair {
  readonly left: number;
  readonly right: number;
  readonly score: number;
  readonly similarities: Readonly<Record<string, number | null>>;
}

/** What a dedupe found, in counts. */
export interface DedupeReport {
  readonly records: number;
  /** Pairs that shared a blocking key and were scored. */
  readonly comparedPairs: number;
  /** Pairs scoring at least `match`. */
  readonly matchedPairs: number;
  /** Pairs scoring at least `review` and under `match`. */
  readonly reviewPairs: number;
  /** Clusters of two or more records. */
  readonly clusters: number;
  /** Records in a cluster after its first: the records a dedupe would drop. */
  readonly duplicateRecords: number;
  /** Blocks over `maxBlockSize` that were not compared, and the records in them. */
  readonly skippedBlocks: number;
  readonly recordsInSkippedBlocks: number;
}

export interface FoundDuplicates {
  /** For each record, its cluster: the position of the cluster's first record (a record on its own is its own cluster). */
  readonly clusterIds: number[];
  /** Matched pairs, by left then right position. */
  readonly matches: ScoredPair[];
  /** Borderline pairs (between `review` and `match`), for a person to decide, by left then right position. */
  readonly review: ScoredPair[];
  readonly report: DedupeReport;
}

/**
 * Finds records that describe the same thing despite typos, casing, accents,
 * punctuation and moved words, in an array held in memory. Records are compared
 * only within blocks sharing a blocking key; a pair's score is the weighted mean
 * of its columns' similarities (columns missing on either side are left out),
 * and matched pairs join clusters transitively.
 *
 * ```ts
 * const { clusterIds, review } = findDuplicates(customers, {
 *   columns: { name: { similarity: 'jaro_winkler', weight: 2 }, street: 'token_jaccard' },
 *   blocking: ['zip'],
 *   match: 0.9,
 *   review: 0.75,
 * });
 * ```
 *
 * For tables beyond memory, a `dedupe:` block does the same in the data plane.
 */
export function findDuplicates(items: readonly object[], options: DedupeOptions): FoundDuplicates {
  const records = items as readonly Readonly<Record<string, unknown>>[];
  const resolved = resolveDedupeOptions(options);
  const normalised = resolved.columns.map((column) => records.map((record) => normaliseForMatching(record[column.name], column.sortTokens)));
  const { pairs, skippedBlocks, recordsInSkippedBlocks } = candidatePairs(records, resolved);
  const clusters = new UnionFind(records.length);
  const matches: ScoredPair[] = [];
  const review: ScoredPair[] = [];
  for (const [left, right] of pairs) {
    const scored = scorePair(left, right, resolved, normalised);
    if (scored === undefined || scored.score < resolved.review) continue;
    if (scored.score >= resolved.match) {
      matches.push(scored);
      clusters.union(left, right);
    } else review.push(scored);
  }
  const clusterIds = records.map((_, i) => clusters.find(i));
  return { clusterIds, matches, review, report: { records: records.length, comparedPairs: pairs.length, matchedPairs: matches.length, reviewPairs: review.length, ...countClusters(clusterIds), skippedBlocks, recordsInSkippedBlocks } };
}

/** Pairs sharing the key of any blocking pass, each once, by left then right position. */
function candidatePairs(records: readonly Readonly<Record<string, unknown>>[], options: ResolvedDedupeOptions): { pairs: [number, number][]; skippedBlocks: number; recordsInSkippedBlocks: number } {
  const seen = new Set<number>();
  const pairs: [number, number][] = [];
  let skippedBlocks = 0;
  let recordsInSkippedBlocks = 0;
  for (const pass of options.blocking) {
    const blocks = new Map<string, number[]>();
    records.forEach((record, i) => {
      const key = blockingKey(record, pass);
      if (key === null) return;
      const block = blocks.get(key);
      if (block) block.push(i);
      else blocks.set(key, [i]);
    });
    for (const members of blocks.values()) {
      if (members.length > options.maxBlockSize) {
        skippedBlocks++;
        recordsInSkippedBlocks += members.length;
        continue;
      }
      for (let a = 0; a < members.length; a++) {
        for (let b = a + 1; b < members.length; b++) {
          const id = members[a]! * records.length + members[b]!;
          if (seen.has(id)) continue;
          seen.add(id);
          pairs.push([members[a]!, members[b]!]);
        }
      }
    }
  }
  pairs.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  return { pairs, skippedBlocks, recordsInSkippedBlocks };
}

/** A pass's key: its columns normalised and joined; null when any is missing. */
function blockingKey(record: Readonly<Record<string, unknown>>, pass: readonly string[]): string | null {
  const parts: string[] = [];
  for (const column of pass) {
    const part = normaliseForMatching(record[column]);
    if (part === null) return null;
    parts.push(part);
  }
  return parts.join('\u0001');
}

/** The weighted mean of the columns both records have; undefined when they share none. */
function scorePair(left: number, right: number, options: ResolvedDedupeOptions, normalised: readonly (readonly (string | null)[])[]): ScoredPair | undefined {
  let sum = 0;
  let weights = 0;
  const similarities: Record<string, number | null> = {};
  options.columns.forEach((column, c) => {
    const a = normalised[c]![left];
    const b = normalised[c]![right];
    if (a === null || a === undefined || b === null || b === undefined) {
      similarities[column.name] = null;
      return;
    }
    const value = similarity(column.similarity, a, b);
    similarities[column.name] = value;
    sum += value * column.weight;
    weights += column.weight;
  });
  return weights === 0 ? undefined : { left, right, score: sum / weights, similarities };
}

function countClusters(clusterIds: readonly number[]): { clusters: number; duplicateRecords: number } {
  const sizes = new Map<number, number>();
  for (const id of clusterIds) sizes.set(id, (sizes.get(id) ?? 0) + 1);
  let clusters = 0;
  for (const size of sizes.values()) if (size > 1) clusters++;
  return { clusters, duplicateRecords: clusterIds.length - sizes.size };
}
