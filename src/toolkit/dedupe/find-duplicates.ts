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
  const passes = resolved.blocking.map((pass) => blockPass(records, pass, resolved.maxBlockSize));
  const clusters = new UnionFind(records.length);
  const matches: ScoredPair[] = [];
  const review: ScoredPair[] = [];
  let comparedPairs = 0;
  // Pairs are scored as their blocks are walked, never listed: only the pairs worth keeping are held.
  passes.forEach((pass, p) => {
    pass.eachPair((left, right) => {
      for (let earlier = 0; earlier < p; earlier++) if (passes[earlier]!.compares(left, right)) return;
      comparedPairs++;
      const score = pairScore(left, right, resolved, normalised);
      if (score < resolved.review) return;
      const scored = { left, right, score, similarities: columnSimilarities(left, right, resolved, normalised) };
      if (score >= resolved.match) {
        matches.push(scored);
        clusters.union(left, right);
      } else review.push(scored);
    });
  });
  const byPosition = (x: ScoredPair, y: ScoredPair): number => x.left - y.left || x.right - y.right;
  matches.sort(byPosition);
  review.sort(byPosition);
  const clusterIds = records.map((_, i) => clusters.find(i));
  const skippedBlocks = passes.reduce((sum, pass) => sum + pass.skippedBlocks, 0);
  const recordsInSkippedBlocks = passes.reduce((sum, pass) => sum + pass.recordsInSkippedBlocks, 0);
  return { clusterIds, matches, review, report: { records: records.length, comparedPairs, matchedPairs: matches.length, reviewPairs: review.length, ...countClusters(clusterIds), skippedBlocks, recordsInSkippedBlocks } };
}

/** One blocking pass: each record's block, and the blocks' members side by side in typed arrays. */
interface BlockPass {
  /** Walks each pair of a block within the size limit once, left before right. */
  eachPair(visit: (left: number, right: number) => void): void;
  /** Whether this pass compares the two records: they share a block within the size limit. */
  compares(left: number, right: number): boolean;
  readonly skippedBlocks: number;
  readonly recordsInSkippedBlocks: number;
}

/**
 * Groups records by the pass's key. A record's block is a number (-1 for no
 * key) and the members of all blocks sit in one array, in record order within
 * a block, so a million records cost a few typed arrays, not a list per block.
 */
function blockPass(records: readonly Readonly<Record<string, unknown>>[], pass: readonly string[], maxBlockSize: number): BlockPass {
  const blockOf = new Int32Array(records.length);
  const ids = new Map<string, number>();
  records.forEach((record, i) => {
    const key = blockingKey(record, pass);
    if (key === null) {
      blockOf[i] = -1;
      return;
    }
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size;
      ids.set(key, id);
    }
    blockOf[i] = id;
  });
  const sizes = new Int32Array(ids.size);
  ids.clear();
  for (const block of blockOf) if (block >= 0) sizes[block]!++;
  const starts = new Int32Array(sizes.length + 1);
  for (let b = 0; b < sizes.length; b++) starts[b + 1] = starts[b]! + sizes[b]!;
  const members = new Int32Array(starts[sizes.length]!);
  const filled = starts.slice(0, sizes.length);
  blockOf.forEach((block, i) => {
    if (block >= 0) members[filled[block]!++] = i;
  });
  let skippedBlocks = 0;
  let recordsInSkippedBlocks = 0;
  for (const size of sizes) {
    if (size > maxBlockSize) {
      skippedBlocks++;
      recordsInSkippedBlocks += size;
    }
  }
  return {
    skippedBlocks,
    recordsInSkippedBlocks,
    compares: (left, right) => blockOf[left]! >= 0 && blockOf[left] === blockOf[right] && sizes[blockOf[left]!]! <= maxBlockSize,
    eachPair(visit) {
      for (let b = 0; b < sizes.length; b++) {
        if (sizes[b]! > maxBlockSize) continue;
        const end = starts[b + 1]!;
        for (let x = starts[b]!; x < end; x++) for (let y = x + 1; y < end; y++) visit(members[x]!, members[y]!);
      }
    },
  };
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

/** The weighted mean of the similarities of the columns both records have; -1 when they share none. */
function pairScore(left: number, right: number, options: ResolvedDedupeOptions, normalised: readonly (readonly (string | null)[])[]): number {
  let sum = 0;
  let weights = 0;
  for (let c = 0; c < options.columns.length; c++) {
    const a = normalised[c]![left];
    const b = normalised[c]![right];
    if (a === null || a === undefined || b === null || b === undefined) continue;
    const column = options.columns[c]!;
    sum += similarity(column.similarity, a, b) * column.weight;
    weights += column.weight;
  }
  return weights === 0 ? -1 : sum / weights;
}

/** Each column's similarity for a pair kept (null when a side is missing). */
function columnSimilarities(left: number, right: number, options: ResolvedDedupeOptions, normalised: readonly (readonly (string | null)[])[]): Record<string, number | null> {
  const similarities: Record<string, number | null> = {};
  options.columns.forEach((column, c) => {
    const a = normalised[c]![left];
    const b = normalised[c]![right];
    similarities[column.name] = a === null || a === undefined || b === null || b === undefined ? null : similarity(column.similarity, a, b);
  });
  return similarities;
}

function countClusters(clusterIds: readonly number[]): { clusters: number; duplicateRecords: number } {
  const sizes = new Int32Array(clusterIds.length);
  for (const id of clusterIds) sizes[id]!++;
  let clusters = 0;
  let distinct = 0;
  for (const size of sizes) {
    if (size > 0) distinct++;
    if (size > 1) clusters++;
  }
  return { clusters, duplicateRecords: clusterIds.length - distinct };
}
