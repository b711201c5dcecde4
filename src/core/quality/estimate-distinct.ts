/**
 * What a sample of whole row groups says about one column's values, after
 * the values seen more than once in one row group are counted once there.
 */
export interface RowGroupSampleCounts {
  /** Distinct values seen in the sample. */
  readonly distinct: number;
  /** Of those, the values seen in exactly one sampled row group. */
  readonly once: number;
  /** Pairs of (value, row group) seen: each value counted once per row group that holds it. */
  readonly pairs: number;
  /** The share of the output's rows the sample read, in (0, 1]. */
  readonly sampledShare: number;
}

/**
 * Estimates a column's distinct values from a sample of whole row groups with
 * the Duj1 estimator (Haas, Naughton, Seshadri and Stokes, 1995), applied to
 * row groups rather than rows as Chaudhuri, Das and Srivastava (2004) do for
 * block samples: d / (1 - (1 - q) * f1 / n), where d is the distinct values
 * seen, f1 those seen in one row group only, n the (value, row group) pairs and
 * q the share sampled. Counting a value once per row group keeps values that
 * cluster (a sorted column, a batch of one customer) from reading as rare.
 * A column whose values all recur in every sampled group reads as d; one
 * whose values never recur reads as d / q. A full sample (q = 1) gives d.
 *
 * @example estimateDistinct({ distinct: 1000, once: 1000, pairs: 1000, sampledShare: 0.1 }) // 10000
 */
export function estimateDistinct(counts: RowGroupSampleCounts): number {
  const { distinct, once, pairs, sampledShare } = counts;
  if (distinct <= 0 || pairs <= 0) return 0;
  const q = Math.min(1, Math.max(sampledShare, Number.EPSILON));
  const unseen = 1 - (1 - q) * (once / pairs);
  // unseen reaches q at worst (every value seen once), so the estimate never exceeds d / q.
  return distinct / Math.max(unseen, q);
}
