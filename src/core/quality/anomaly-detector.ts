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
  /** How many recent values the detector learns from. Default 56 (eight weeks of daily runs, eight of each weekday). */
  readonly window?: number | undefined;
  /** Values needed before it judges at all. Default 14 (two weeks of daily runs, two of each weekday). */
  readonly minHistory?: number | undefined;
  /** How many robust deviations from the expected value make an anomaly. Default {@link defaultThreshold}. */
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
      /** Whether the expected value follows a trend rather than a flat level. */
      readonly trend: boolean;
      readonly reason: string;
    };

/** Values learnt from unless a block says otherwise: eight weeks of daily runs, eight of each weekday. */
export const defaultWindow = 56;

/**
 * Robust deviations from the expected value that make an anomaly unless a block says otherwise.
 * The range is honest (Student's t for a short history, the expected value's own error), so about
 * 1.6 normal values in 100 fall outside it; chosen on the tuning seeds (docs/quality.md, "How well it works").
 */
export const defaultThreshold = 2.4;

/** The MAD of normally distributed values times this estimates their standard deviation. */
const madToSigma = 1.4826;
const dayMs = 86_400_000;
const weekdayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/**
 * Judges `value` (observed on `date`) against `history` (oldest first).
 * @example
 * const verdict = judgeValue(history, { value: 115_000, date: '2024-05-01' });
 * if (verdict.judged && verdict.anomaly) console.log(verdict.reason);
 */
export function judgeValue(history: readonly MetricObservation[], current: { value: number; date: string }, options: DetectorOptions = {}): Verdict {
  const window = options.window ?? defaultWindow;
  const threshold = options.threshold ?? defaultThreshold;
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
  const start = trendLine(xs, ys);
  const plain = fit(xs, ys, days, false, start);
  const weekly = season !== 'none' && hasEveryWeekdayTwice(days) ? fit(xs, ys, days, true, start) : undefined;
  // In `auto`, the weekday pattern must cut the mean distance from the model by a fifth to be believed
  // (seven extra parameters otherwise just follow noise). The mean, not the robust spread: one quiet
  // weekday in seven is exactly what a robust spread is built to ignore.
  const model = weekly && (season === 'weekly' || weekly.meanDistance < 0.8 * plain.meanDistance) ? weekly : plain;
  const today = weekday(current.date);
  // A metric never negative so far (a row count, a sum of amounts) is not expected below zero,
  // however steeply its trend falls: the range says what the metric can be.
  const neverNegative = ys.every((y) => y >= 0);
  const predicted = model.predict(recent.length, today);
  const expected = neverNegative ? Math.max(0, predicted) : predicted;
  const floor = Math.max(options.minAbsoluteSpread ?? 0, (options.minRelativeSpread ?? 0.01) * Math.abs(predicted), Number.EPSILON);
  // A spread measured on few values is itself unsure: widen it as Student's t widens the normal curve,
  // with the degrees of freedom the model leaves (seven weekday ratios cost seven values, not one).
  // The clipped spread shakes like a plain standard deviation of about 85% as many values (measured on normal noise).
  const fewValues = studentWidening(threshold, 0.85 * model.degreesOfFreedom);
  const spread = Math.max(model.spreadAt(recent.length, today) * model.uncertainty(recent.length, today) * fewValues, floor);
  const score = (value - expected) / spread;
  const low = neverNegative ? Math.max(0, expected - threshold * spread) : expected - threshold * spread;
  const high = expected + threshold * spread;
  const anomaly = Math.abs(score) > threshold;
  // Say what the expectation is made of, so a reader can tell a missed season from a real jump.
  const basis = `${[model.trend ? 'trend' : 'flat level', ...(model.seasonal ? [`${weekdayNames[today]} season`] : [])].join(' + ')}, from the last ${recent.length} values`;
  const margin = `${formatNumber(expected)} ± ${formatNumber(threshold * spread)}`;
  const reason = anomaly
    ? `${formatNumber(value)} is ${Math.abs(score).toFixed(1)} deviations ${score > 0 ? 'above' : 'below'} the expected ${margin} (normal range ${formatNumber(low)} to ${formatNumber(high)}; ${basis})`
    : `${formatNumber(value)} is within the expected ${margin} (normal range ${formatNumber(low)} to ${formatNumber(high)}; ${basis})`;
  return { judged: true, value, expected, low, high, score, anomaly, seasonal: model.seasonal, trend: model.trend, reason };
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
  /** Whether the level follows a trend rather than staying flat. */
  readonly trend: boolean;
  /** The expected value at position `x` on weekday `day` (0 = Sunday). */
  predict(x: number, day: number): number;
  /** The mean absolute residual, weekday factors measured without the value itself. */
  readonly meanDistance: number;
  /** Robust standard deviation of what the model leaves unexplained, at position `x` on weekday `day`. */
  spreadAt(x: number, day: number): number;
  /** How much wider than `spread` a prediction at `x` on weekday `day` is, for the error in the fitted level, trend and weekday ratio. */
  uncertainty(x: number, day: number): number;
  /** Values left to measure the spread once the level, trend and weekday ratios are fitted. */
  readonly degreesOfFreedom: number;
}

/**
 * The weekday factors (when asked), then a level with a robust trend (kept
 * only when it clearly differs from flat: a slope read into noise moves every
 * prediction), then the spread of what is left.
 *
 * Where every value is positive a weekday is a ratio to the level (Mondays
 * sell 15% more), so the pattern grows with a trending metric; otherwise it is
 * an offset. Levels and weekday factors are means of values clipped around
 * their median rather than medians: as robust to one wild value, and with six
 * values a weekday the median wastes a third of what they say.
 */
function fit(xs: readonly number[], ys: readonly number[], days: readonly number[], seasonal: boolean, start: Line): Model {
  const n = xs.length;
  const ratio = ys.every((y) => y > 0);
  // Apply and remove a weekday factor the way the season is modelled: as a ratio or as an offset.
  const apply = (level: number, factor: number): number => (ratio ? level * factor : level + factor);
  const remove = (y: number, factor: number): number => (ratio ? y / factor : y - factor);
  const compare = (y: number, level: number): number => (ratio ? y / level : y - level);
  const neutral = ratio ? 1 : 0;
  let factors: number[] = Array.from({ length: 7 }, () => neutral);
  let line = start;
  // Each value's weekday factor as measured without it: with six values a weekday, a factor that
  // includes the value itself pulls towards it and makes the season look better than it is.
  let factorWithout = (i: number): number => factors[days[i]!]!;
  if (seasonal) {
    const members = Array.from({ length: 7 }, (_, d) => xs.flatMap((_, i) => (days[i] === d ? [i] : [])));
    // Two rounds: the weekday factors are measured from a line that is not itself pulled by them.
    for (let round = 0; round < 2; round++) {
      const relative = ys.map((y, i) => compare(y, line.at(xs[i]!)));
      const groupMedians = members.map((m) => median(m.map((i) => relative[i]!)));
      const scale = robustSpread(relative.map((r, i) => r - groupMedians[days[i]!]!));
      const factorOf = (m: readonly number[]): number => (m.length ? clippedMean(m.map((i) => relative[i]!), scale) : neutral);
      const raw = members.map(factorOf);
      const centre = raw.reduce((a, b) => a + b, 0) / 7;
      const normalise = (f: number): number => (ratio ? f / centre : f - centre);
      factors = raw.map(normalise);
      factorWithout = (i) => normalise(factorOf(members[days[i]!]!.filter((j) => j !== i)));
      line = trendLine(xs, ys.map((y, i) => remove(y, factors[days[i]!]!)), line);
    }
  }
  const predict = (x: number, day: number): number => apply(line.at(x), seasonal ? (factors[day] ?? neutral) : neutral);
  const residual = ys.map((y, i) => y - apply(line.at(xs[i]!), factorWithout(i)));
  // A residual from a weekday ratio measured without it varies k/(k-1) times the noise (k values that weekday):
  // scaled back, the residuals measure the noise itself, and a prediction adds the error of its own weekday's ratio below.
  const perWeekday = Array.from({ length: 7 }, (_, d) => days.filter((day) => day === d).length);
  const noiseOnly = seasonal ? residual.map((r, i) => r * Math.sqrt((perWeekday[days[i]!]! - 1) / perWeekday[days[i]!]!)) : residual;
  const meanX = (n - 1) / 2;
  const sxx = xs.reduce((sum, x) => sum + (x - meanX) ** 2, 0);
  // Business numbers swing in proportion to their size: a growing revenue swings more at its end
  // than over its window. Where every prediction is positive the spread is measured as a share of it.
  const fitted = xs.map((x, i) => predict(x, days[i]!));
  const relative = fitted.every((f) => f > 0);
  // Values spent on the fit no longer measure the noise: the level and the trend. With a season the level is
  // part of the weekday ratios (they average to one, so level times ratio is that weekday's own mean), and
  // those are scaled out above: counting the level again would widen the range for nothing.
  const fittedCount = (seasonal ? 0 : 1) + (line.slope ? 1 : 0);
  const relativeSpread = relative ? robustSpread(noiseOnly.map((r, i) => r / fitted[i]!), fittedCount) : 0;
  const absoluteSpread = robustSpread(noiseOnly, fittedCount);
  return {
    seasonal,
    trend: line.slope !== 0,
    predict,
    // A share of a prediction at or below zero is no spread at all: there the plain residuals measure it.
    spreadAt: (x, day) => {
      const at = predict(x, day);
      return relative && at > 0 ? relativeSpread * at : absoluteSpread;
    },
    meanDistance: residual.reduce((sum, r) => sum + Math.abs(r), 0) / residual.length,
    // A clipped mean level varies like a mean of n values; a fitted trend adds its slope's error, growing
    // with the distance. With a season, level times ratio is the weekday's own mean of k values: 1/k, not 1/n + 1/k.
    uncertainty: (x, day) => Math.sqrt(1 + (seasonal ? 1 / Math.max(perWeekday[day]!, 1) : 1 / n) + (line.slope ? (x - meanX) ** 2 / sxx : 0)),
    degreesOfFreedom: n - (seasonal ? 7 : 1) - (line.slope ? 1 : 0),
  };
}

/**
 * How much wider than the normal curve's `z` Student's t is at the same tail with `df` degrees of
 * freedom (the Cornish-Fisher expansion to its fourth term, within 1% from 5 degrees of freedom on;
 * below that it errs wide).
 */
export function studentWidening(z: number, df: number): number {
  const v = Math.max(df, 1);
  const z2 = z * z;
  const t =
    z +
    (z * (z2 + 1)) / 4 / v +
    (z * (5 * z2 * z2 + 16 * z2 + 3)) / 96 / v ** 2 +
    (z * (3 * z2 ** 3 + 19 * z2 * z2 + 17 * z2 - 15)) / 384 / v ** 3 +
    (z * (79 * z2 ** 4 + 776 * z2 ** 3 + 1482 * z2 * z2 - 1920 * z2 - 945)) / 92_160 / v ** 4;
  return z > 0 ? t / z : 1;
}

interface Line {
  readonly slope: number;
  at(x: number): number;
}

/**
 * A robust line over the values: Theil-Sen's slope as a start, then least
 * squares over the values pulled to within 2 spreads of it (one wild value
 * cannot tilt it, and the ordinary ones count fully). Flat (a clipped mean)
 * unless its slope stands three standard errors clear of zero.
 */
function trendLine(xs: readonly number[], ys: readonly number[], from?: Line): Line {
  // Refining an earlier line (the seasonal rounds) needs no new Theil-Sen start, its costliest step.
  const start = from ? { slope: from.slope, intercept: from.at(0) } : theilSen(xs, ys);
  const meanX = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sxx = xs.reduce((sum, x) => sum + (x - meanX) ** 2, 0);
  const fromStart = ys.map((y, i) => y - (start.intercept + start.slope * xs[i]!));
  const spread = robustSpread(fromStart, 2);
  const clipped = ys.map((y, i) => y - fromStart[i]! + clip(fromStart[i]!, 2 * spread));
  const meanY = clipped.reduce((a, b) => a + b, 0) / clipped.length;
  const slope = sxx > 0 ? clipped.reduce((sum, y, i) => sum + (xs[i]! - meanX) * (y - meanY), 0) / sxx : 0;
  // Three standard errors as Student's t counts them: on two weeks of values a slope read into noise clears the normal curve's three ten times as often.
  if (sxx > 0 && Math.abs(slope) > (3 * studentWidening(3, xs.length - 2) * spread) / Math.sqrt(sxx)) return { slope, at: (x) => meanY + slope * (x - meanX) };
  const level = clippedMean(ys, robustSpread(ys.map((y) => y - median(ys))));
  return { slope: 0, at: () => level };
}

/** The mean of the values with each pulled to within 2 `scale`s of their median. */
function clippedMean(values: readonly number[], scale: number): number {
  const centre = median(values);
  return centre + values.reduce((sum, v) => sum + clip(v - centre, 2 * scale), 0) / values.length;
}

function clip(value: number, limit: number): number {
  return limit > 0 ? Math.min(Math.max(value, -limit), limit) : value;
}

/**
 * The standard deviation of residuals, robustly: a first guess from their
 * MAD, then the root mean square with every residual clipped at 2.5 of those
 * guesses (one wild value counts as 2.5, no more). It uses far more of the
 * data than the MAD alone, so the normal range shakes less from day to day.
 * `fitted` is how many values went into what the residuals are measured from
 * (their median, a level, a trend): the sum is divided by what is left.
 */
function robustSpread(residuals: readonly number[], fitted = 1): number {
  const centre = median(residuals);
  const first = madToSigma * median(residuals.map((r) => Math.abs(r - centre)));
  if (!(first > 0)) return 0;
  const limit = 2.5 * first;
  const clipped = residuals.map((r) => Math.min((r - centre) ** 2, limit * limit));
  // Clipping at 2.5 keeps 97.8% of a normal distribution's variance; divide it back out.
  return Math.sqrt(clipped.reduce((a, b) => a + b, 0) / Math.max(clipped.length - fitted, 1) / 0.97756);
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
  // A typed array sorts numbers natively, several times faster than a comparator: Theil-Sen takes the median of every pairwise slope.
  const sorted = Float64Array.from(values).sort();
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
