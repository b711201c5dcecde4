/**
 * A robust detector for one metric's newest value against its own history:
 * a median-and-MAD band around a robust trend, with an optional weekday
 * season. Pure: it sees numbers and dates, never a store or a run.
 */

/** One earlier value of the metric, oldest first in a history. */
export interface MetricObservation {
  readonly value: number;
  /** The date the value describes (the run's logical date, else its start), `YYYY-MM-DD` or ISO. */
  readonly date: string;
  /**
   * Set when the value was flagged and a user marked it as expected: the
   * detector takes it as the new level, and earlier values count as if they
   * had moved with it.
   */
  readonly acceptedShift?: number | undefined;
  /**
   * Set when the value was flagged and not marked expected: the detector
   * reads it as the edge of this range, so one wild value neither widens the
   * range nor vanishes (dropping every flagged value would narrow the range
   * run by run), and a lasting change is slowly learnt.
   */
  readonly flaggedRange?: { readonly low: number; readonly high: number } | undefined;
}

/** Whether a weekday pattern is modelled: `auto` uses it when it explains the history clearly better. */
export type SeasonMode = 'auto' | 'weekly' | 'none';

export interface DetectorOptions {
  /** How many recent values the detector learns from. Default 42 (six weeks of daily runs). */
  readonly window?: number | undefined;
  /** Values needed before it judges at all. Default 14 (two weeks of daily runs, two of each weekday). */
  readonly minHistory?: number | undefined;
  /** How many robust deviations from the expected value make an anomaly. Default 2.7 (see docs/quality.md, "How well it works", for how it was chosen). */
  readonly threshold?: number | undefined;
  readonly season?: SeasonMode | undefined;
  /**
   * The smallest spread the detector assumes, as a share of the expected
   * value's size, so a metric that never moved (a fixed row count) is not
   * flagged for the tiniest change. Default 0.01.
   */
  readonly minRelativeSpread?: number | undefined;
  /** The smallest spread in the metric's own units (e.g. 0.01 for a null rate). Default 0. */
  readonly minAbsoluteSpread?: number | undefined;
}

export type Verdict =
  | { readonly judged: false; readonly value: number; readonly reason: string }
  | {
      readonly judged: true;
      readonly value: number;
      /** What the history predicts for this value. */
      readonly expected: number;
      /** The range of values taken as normal. */
      readonly low: number;
      readonly high: number;
      /** Robust deviations from the expected value, signed (above is positive). */
      readonly score: number;
      readonly anomaly: boolean;
      readonly seasonal: boolean;
      readonly reason: string;
    };

/** The MAD of normally distributed values times this estimates their standard deviation. */
const madToSigma = 1.4826;
const dayMs = 86_400_000;

/**
 * Judges `value` (observed on `date`) against `history` (oldest first).
 * @example
 * const verdict = judgeValue(history, { value: 115_000, date: '2024-05-01' });
 * if (verdict.judged && verdict.anomaly) console.log(verdict.reason);
 */
export function judgeValue(history: readonly MetricObservation[], current: { value: number; date: string }, options: DetectorOptions = {}): Verdict {
  const window = options.window ?? 42;
  const threshold = options.threshold ?? 2.7;
  const season = options.season ?? 'auto';
  const minHistory = options.minHistory ?? 14;
  const { value } = current;
  const recent = levelAdjusted(history.filter((h) => Number.isFinite(h.value))).slice(-window);
  if (recent.length < minHistory) {
    return { judged: false, value, reason: `not judged: ${recent.length} earlier value${recent.length === 1 ? '' : 's'}, ${minHistory} needed` };
  }
  // The trend runs over the position in the history, so a pipeline run hourly or with gaps still has one.
  const xs = recent.map((_, i) => i);
  const ys = recent.map((h) => h.value);
  const days = recent.map((h) => weekday(h.date));
  const plain = fit(xs, ys, days, false);
  const weekly = season !== 'none' && hasEveryWeekdayTwice(days) ? fit(xs, ys, days, true) : undefined;
  // In `auto`, the weekday pattern must cut the mean distance from the model by a fifth to be believed
  // (seven extra parameters otherwise just follow noise). The mean, not the robust spread: one quiet
  // weekday in seven is exactly what a robust spread is built to ignore.
  const model = weekly && (season === 'weekly' || weekly.meanDistance < 0.8 * plain.meanDistance) ? weekly : plain;
  const today = weekday(current.date);
  const expected = model.predict(recent.length, today);
  const floor = Math.max(options.minAbsoluteSpread ?? 0, (options.minRelativeSpread ?? 0.01) * Math.abs(expected), Number.EPSILON);
  // A spread measured on few values is itself unsure: widen it as Student's t widens the normal curve (Cornish-Fisher's first term).
  const fewValues = 1 + (threshold * threshold + 1) / (4 * Math.max(recent.length - 2, 1));
  const spread = Math.max(model.spreadAt(recent.length, today) * model.uncertainty(recent.length) * fewValues, floor);
  const score = (value - expected) / spread;
  const low = expected - threshold * spread;
  const high = expected + threshold * spread;
  const anomaly = Math.abs(score) > threshold;
  const basis = `the last ${recent.length} values${model.seasonal ? ', by weekday' : ''}`;
  const reason = anomaly
    ? `${formatNumber(value)} is ${Math.abs(score).toFixed(1)} deviations ${score > 0 ? 'above' : 'below'} the expected ${formatNumber(expected)} (normal range ${formatNumber(low)} to ${formatNumber(high)}, from ${basis})`
    : `${formatNumber(value)} is within the normal range ${formatNumber(low)} to ${formatNumber(high)} (from ${basis})`;
  return { judged: true, value, expected, low, high, score, anomaly, seasonal: model.seasonal, reason };
}

/**
 * The history with accepted shifts applied: a value a user marked as expected
 * moved the level by `acceptedShift`, so every value before it moves too and
 * the detector compares the next values with the new level at once.
 */
function levelAdjusted(history: readonly MetricObservation[]): MetricObservation[] {
  const out = history.map((h) => (h.flaggedRange ? { ...h, value: Math.min(Math.max(h.value, h.flaggedRange.low), h.flaggedRange.high) } : { ...h }));
  for (let i = 0; i < out.length; i++) {
    const shift = out[i]!.acceptedShift;
    if (!shift) continue;
    for (let j = 0; j < i; j++) out[j] = { ...out[j]!, value: out[j]!.value + shift };
  }
  return out;
}

interface Model {
  readonly seasonal: boolean;
  /** The expected value at position `x` on weekday `day` (0 = Sunday). */
  predict(x: number, day: number): number;
  /** The mean absolute residual, weekday offsets measured without the value itself. */
  readonly meanDistance: number;
  /** Robust standard deviation of what the model leaves unexplained, at position `x` on weekday `day`. */
  spreadAt(x: number, day: number): number;
  /** How much wider than `spread` a prediction at `x` is, for the error in the fitted level and trend. */
  uncertainty(x: number): number;
}

/**
 * The weekday offsets (when asked), then a level with a Theil-Sen trend
 * (kept only when it clearly differs from flat: a slope read into noise moves
 * every prediction), then the spread of what is left.
 */
function fit(xs: readonly number[], ys: readonly number[], days: readonly number[], seasonal: boolean): Model {
  const n = xs.length;
  let effects: number[] = Array.from({ length: 7 }, () => 0);
  let deseasoned = [...ys];
  let line = trendLine(xs, deseasoned);
  if (seasonal) {
    // Two rounds: the weekday offsets are measured from a line that is not itself pulled by them.
    for (let round = 0; round < 2; round++) {
      const residual = ys.map((y, i) => y - line.at(xs[i]!));
      effects = Array.from({ length: 7 }, (_, d) => median(residual.filter((_, i) => days[i] === d)) || 0);
      const centre = median(effects);
      effects = effects.map((e) => e - centre);
      deseasoned = ys.map((y, i) => y - effects[days[i]!]!);
      line = trendLine(xs, deseasoned);
    }
  }
  const fromLine = ys.map((y, i) => y - line.at(xs[i]!));
  // Each value is compared with its weekday's offset as measured without it: with three or four
  // values a weekday, the median of a group is one of them, and its own residual of zero would
  // shrink the spread and make the season look far better than it is.
  const residual = seasonal ? fromLine.map((r, i) => r - median(fromLine.filter((_, j) => j !== i && days[j] === days[i]))) : fromLine;
  const meanX = (n - 1) / 2;
  const sxx = xs.reduce((sum, x) => sum + (x - meanX) ** 2, 0);
  const predict = (x: number, day: number): number => line.at(x) + (seasonal ? (effects[day] ?? 0) : 0);
  // Business numbers swing in proportion to their size: a growing revenue swings more at its end
  // than over its window. Where every prediction is positive the spread is measured as a share of it.
  const fitted = xs.map((x, i) => predict(x, days[i]!));
  const relative = fitted.every((f) => f > 0);
  const relativeSpread = relative ? robustSpread(residual.map((r, i) => r / fitted[i]!)) : 0;
  const absoluteSpread = robustSpread(residual);
  return {
    seasonal,
    predict,
    spreadAt: (x, day) => (relative ? relativeSpread * Math.max(predict(x, day), 0) : absoluteSpread),
    meanDistance: residual.reduce((sum, r) => sum + Math.abs(r), 0) / residual.length,
    // A median level varies like a mean of n / 1.57 values; a fitted trend adds its slope's error, growing with the distance.
    uncertainty: (x) => Math.sqrt(1 + (line.slope ? 1 / n + (x - meanX) ** 2 / sxx : 1.57 / n)),
  };
}

/** A Theil-Sen line over the values, flat (their median) unless its slope stands three standard errors clear of zero. */
function trendLine(xs: readonly number[], ys: readonly number[]): { slope: number; at(x: number): number } {
  const line = theilSen(xs, ys);
  const meanX = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sxx = xs.reduce((sum, x) => sum + (x - meanX) ** 2, 0);
  const spread = robustSpread(ys.map((y, i) => y - (line.intercept + line.slope * xs[i]!)));
  if (sxx > 0 && Math.abs(line.slope) > (3 * spread) / Math.sqrt(sxx)) return { slope: line.slope, at: (x) => line.intercept + line.slope * x };
  const level = median(ys);
  return { slope: 0, at: () => level };
}

/**
 * The standard deviation of residuals, robustly: a first guess from their
 * MAD, then the root mean square with every residual clipped at 2.5 of those
 * guesses (one wild value counts as 2.5, no more). It uses far more of the
 * data than the MAD alone, so the normal range shakes less from day to day.
 */
function robustSpread(residuals: readonly number[]): number {
  const centre = median(residuals);
  const first = madToSigma * median(residuals.map((r) => Math.abs(r - centre)));
  if (!(first > 0)) return 0;
  const limit = 2.5 * first;
  const clipped = residuals.map((r) => Math.min((r - centre) ** 2, limit * limit));
  // Clipping at 2.5 keeps 97.8% of a normal distribution's variance; divide it back out.
  return Math.sqrt(clipped.reduce((a, b) => a + b, 0) / clipped.length / 0.97756);
}

/** The median of all pairwise slopes: one wild value cannot tilt it. */
function theilSen(xs: readonly number[], ys: readonly number[]): { intercept: number; slope: number } {
  const slopes: number[] = [];
  for (let i = 0; i < xs.length; i++) for (let j = i + 1; j < xs.length; j++) slopes.push((ys[j]! - ys[i]!) / (xs[j]! - xs[i]!));
  const slope = slopes.length ? median(slopes) : 0;
  return { slope, intercept: median(ys.map((y, i) => y - slope * xs[i]!)) };
}

export function median(values: readonly number[]): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function hasEveryWeekdayTwice(days: readonly number[]): boolean {
  const counts = Array.from({ length: 7 }, () => 0);
  for (const d of days) counts[d]! += 1;
  return counts.every((c) => c >= 2);
}

/** 0 = Sunday, read in UTC so a date means the same day everywhere. */
function weekday(date: string): number {
  const ms = Date.parse(date.length === 10 ? `${date}T00:00:00Z` : date);
  return Number.isFinite(ms) ? Math.floor(ms / dayMs + 4) % 7 : 0;
}

function formatNumber(n: number): string {
  return Math.abs(n) >= 1000 ? Math.round(n).toLocaleString('en-US') : Number(n.toPrecision(4)).toString();
}
