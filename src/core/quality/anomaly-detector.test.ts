import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultThreshold, judgeValue, studentWidening, type MetricObservation } from './anomaly-detector.ts';
import { generateSeries, mulberry32, seriesKinds } from '../../../bench/anomaly/labelled-series.ts';
import { evaluateDetector } from '../../../bench/anomaly/evaluate-detector.ts';

const day = (i: number): string => new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
/** 100,000 give or take about 1% of seeded noise, one value a day. */
function steady(n: number): MetricObservation[] {
  const random = mulberry32(7);
  return Array.from({ length: n }, (_, i) => ({ value: 100_000 + 2_000 * (random() - 0.5), date: day(i) }));
}

describe('judgeValue', () => {
  it('does not judge before the minimum history, and says how much it has', () => {
    const verdict = judgeValue(steady(5), { value: 1, date: day(5) });
    assert.equal(verdict.judged, false);
    assert.match(verdict.reason, /5 earlier values, 14 needed/);
  });

  it('flags a jump of 15% on a steady series, with the value, the expected range and a reason', () => {
    const verdict = judgeValue(steady(28), { value: 115_000, date: day(28) });
    assert.ok(verdict.judged && verdict.anomaly);
    assert.ok(verdict.low < 100_000 && verdict.high > 100_000 && verdict.high < 115_000);
    assert.ok(verdict.score > 2.8);
    assert.match(verdict.reason, /^115,000 is [\d.]+ deviations above the expected (99|100),\d{3}/);
  });

  it('takes an ordinary value as normal, and a drop as a negative score', () => {
    const normal = judgeValue(steady(28), { value: 100_500, date: day(28) });
    assert.ok(normal.judged && !normal.anomaly);
    const drop = judgeValue(steady(28), { value: 80_000, date: day(28) });
    assert.ok(drop.judged && drop.anomaly && drop.score < 0);
  });

  it('follows a trend: the next step of a rising series is normal, staying flat is not', () => {
    const rising = steady(28).map((h, i) => ({ ...h, value: h.value + 2_000 * i }));
    const next = judgeValue(rising, { value: 100_000 + 2_000 * 28, date: day(28) });
    assert.ok(next.judged && !next.anomaly, next.reason);
    const flat = judgeValue(rising, { value: 100_000 + 2_000 * 20, date: day(28) });
    assert.ok(flat.judged && flat.anomaly, flat.reason);
  });

  it('learns a weekly season: a quiet Sunday is normal, a quiet Monday is not', () => {
    const weekly = steady(42).map((h) => ({ ...h, value: new Date(h.date).getUTCDay() === 0 ? h.value * 0.6 : h.value }));
    const sunday = day(48); // 2024-02-18 is a Sunday
    assert.equal(new Date(sunday).getUTCDay(), 0);
    const quietSunday = judgeValue(weekly, { value: 60_000, date: sunday });
    assert.ok(quietSunday.judged && !quietSunday.anomaly && quietSunday.seasonal, quietSunday.reason);
    const quietMonday = judgeValue(weekly, { value: 60_000, date: day(49) });
    assert.ok(quietMonday.judged && quietMonday.anomaly, quietMonday.reason);
    const without = judgeValue(weekly, { value: 60_000, date: sunday }, { season: 'none' });
    assert.ok(without.judged && !without.seasonal);
  });

  it('flags a value more than 2.4 deviations from the expected one by default, and not one just within', () => {
    assert.equal(defaultThreshold, 2.4);
    const probe = judgeValue(steady(28), { value: 100_000, date: day(28) });
    assert.ok(probe.judged);
    const spread = (probe.high - probe.expected) / 2.4;
    const beyond = judgeValue(steady(28), { value: probe.expected + 2.41 * spread, date: day(28) });
    assert.ok(beyond.judged && beyond.anomaly && Math.abs(beyond.score - 2.41) < 1e-9, beyond.reason);
    const within = judgeValue(steady(28), { value: probe.expected - 2.39 * spread, date: day(28) });
    assert.ok(within.judged && !within.anomaly, within.reason);
  });

  it('does not flag the tiniest change of a metric that never moved', () => {
    const fixed = Array.from({ length: 20 }, (_, i) => ({ value: 500, date: day(i) }));
    assert.ok(!(judgeValue(fixed, { value: 502, date: day(20) }) as { anomaly: boolean }).anomaly);
    assert.ok((judgeValue(fixed, { value: 560, date: day(20) }) as { anomaly: boolean }).anomaly);
  });

  it('learns a level a user marked as expected: the next value at that level is normal', () => {
    const history = steady(28);
    const jump = judgeValue(history, { value: 130_000, date: day(28) });
    assert.ok(jump.judged && jump.anomaly);
    const unmarked = [...history, { value: 130_000, date: day(28), flaggedRange: { low: jump.low, high: jump.high } }];
    assert.ok((judgeValue(unmarked, { value: 130_500, date: day(29) }) as { anomaly: boolean }).anomaly);
    const marked = [...history, { value: 130_000, date: day(28), acceptedShift: 130_000 - jump.expected }];
    const after = judgeValue(marked, { value: 130_500, date: day(29) });
    assert.ok(after.judged && !after.anomaly, after.reason);
  });

  it('never expects a metric that was never negative below zero, however steeply it falls', () => {
    // Row counts of runs over ever smaller inputs: the trend alone would expect fewer than none.
    const random = mulberry32(11);
    const falling = Array.from({ length: 20 }, (_, i) => ({ value: Math.round((5_000_000 - 260_000 * i) * (1 + 0.04 * (random() - 0.5))), date: day(i) }));
    const verdict = judgeValue(falling, { value: 10, date: day(20) });
    assert.ok(verdict.judged);
    assert.equal(verdict.expected, 0);
    assert.equal(verdict.low, 0);
    assert.doesNotMatch(verdict.reason, /-\d/);
    // A metric that has been negative keeps its trend below zero.
    const balance = falling.map((h) => ({ ...h, value: h.value - 4_000_000 }));
    const below = judgeValue(balance, { value: -1_300_000, date: day(20) });
    assert.ok(below.judged && below.expected < 0);
  });

  it('keeps one unmarked wild value from widening the normal range', () => {
    const history = steady(28);
    const wild = judgeValue(history, { value: 1_000_000, date: day(28) });
    assert.ok(wild.judged);
    const next = judgeValue([...history, { value: 1_000_000, date: day(28), flaggedRange: { low: wild.low, high: wild.high } }], { value: 115_000, date: day(29) });
    assert.ok(next.judged && next.anomaly, next.reason);
  });
});

describe('judgeValue with a trend and a weekly season', () => {
  /** A level rising 1% of its start a day, times a weekday factor (quiet weekends), with 2% seeded noise. */
  function risingWeekly(n: number): MetricObservation[] {
    const random = mulberry32(11);
    const factor = [0.7, 1.15, 1.05, 1, 1, 1.1, 0.75];
    return Array.from({ length: n }, (_, i) => ({ value: 100_000 * (1 + 0.01 * i) * factor[new Date(day(i)).getUTCDay()]! * (1 + 0.04 * (random() - 0.5)), date: day(i) }));
  }

  it('reads the weekday pattern as a ratio that grows with the trend, and says so', () => {
    const history = risingWeekly(42);
    const monday = day(42); // 2024-02-12 is a Monday
    assert.equal(new Date(monday).getUTCDay(), 1);
    const expected = 100_000 * 1.42 * 1.15;
    const normal = judgeValue(history, { value: expected, date: monday });
    assert.ok(normal.judged && !normal.anomaly && normal.seasonal && normal.trend, normal.reason);
    assert.match(normal.reason, /within the expected [\d,]+ ± [\d,]+ .*trend \+ Monday season, from the last 42 values/);
    const jump = judgeValue(history, { value: expected * 1.15, date: monday });
    assert.ok(jump.judged && jump.anomaly, jump.reason);
    assert.match(jump.reason, /above the expected [\d,]+ ± [\d,]+ \(normal range [\d,]+ to [\d,]+; trend \+ Monday season/);
    // An offset learnt at the start's level would put a Monday of this size far below the expected one.
    assert.ok(Math.abs(normal.expected - expected) < 0.03 * expected, `expected ${normal.expected}`);
  });

  it("widens a weekday's range by its own ratio's error alone: level times ratio is that weekday's mean", () => {
    // 43 values: seven Mondays, six of every other weekday, a flat level with 3% seeded noise.
    const random = mulberry32(12);
    const factor = [0.7, 1.15, 1.05, 1, 1, 1.1, 0.75];
    const history = Array.from({ length: 43 }, (_, i) => ({ value: 100_000 * factor[new Date(day(i)).getUTCDay()]! * (1 + 0.06 * (random() - 0.5)), date: day(i) }));
    const relativeWidth = (date: string): number => {
      const verdict = judgeValue(history, { value: 100_000, date });
      assert.ok(verdict.judged && verdict.seasonal && !verdict.trend, verdict.reason);
      return (verdict.high - verdict.expected) / verdict.expected;
    };
    // Same spread, same widening: only the weekday's 1/k differs (day 49 is a Monday, k = 7; day 50 a Tuesday, k = 6).
    const ratio = relativeWidth(day(49)) / relativeWidth(day(50));
    assert.ok(Math.abs(ratio - Math.sqrt((1 + 1 / 7) / (1 + 1 / 6))) < 1e-9, `ratio ${ratio}`);
  });

  it('keeps a steady series flat: no trend is read into its noise', () => {
    const verdict = judgeValue(steady(42), { value: 100_000, date: day(42) });
    assert.ok(verdict.judged && !verdict.trend && !verdict.seasonal, verdict.reason);
    assert.match(verdict.reason, /flat level, from the last 42 values/);
  });
});

describe('studentWidening', () => {
  it("widens the normal curve's quantile to Student's t at the same tail", () => {
    // One-sided 1% quantiles of t from a table: 3.365 (5 degrees of freedom), 2.764 (10), 2.457 (30); the normal curve's is 2.3263.
    for (const [df, t] of [[5, 3.365], [10, 2.764], [30, 2.457]] as const) {
      const widened = 2.3263 * studentWidening(2.3263, df);
      assert.ok(Math.abs(widened - t) < 0.005, `${df} degrees of freedom: ${widened} against ${t}`);
    }
    assert.ok(studentWidening(2.45, 1_000) < 1.002);
  });
});

describe('the detector on the labelled set', () => {
  it('catches a +15% shift on 3% noise on its first day at least 95% of the time, with false alarms near the target of under 2 per 100', () => {
    const random = mulberry32(42);
    const set = [
      ...Array.from({ length: 60 }, () => generateSeries({ kind: 'steady', shift: 0.15 }, random)),
      ...Array.from({ length: 30 }, () => generateSeries({ kind: 'steady', shift: 0 }, random)),
    ];
    const { shifts, normal } = evaluateDetector(set);
    assert.ok(shifts[0]!.firstDay >= 0.95, `caught ${shifts[0]!.firstDay}`);
    // At 2.4 the steady series' false alarms are about 1.8 per 100 (bench/anomaly, thousands of series); 30 normal
    // series (about 1,300 judged values) know that to about ±0.35, so the bound here leaves that room. The target's
    // own figure is the labelled set's (npm run eval:anomaly), never this sample's.
    assert.ok(normal[0]!.per100 < 2.5, `${normal[0]!.per100} false alarms per 100`);
  });

  it('predicts a weekday as well as free weekday ratios allow: off by about the noise over the root of that weekday’s count', () => {
    // On day 45 (a Thursday) of the weekly series the history holds six Thursdays: no estimate with a ratio
    // of Thursday's own errs less than 3%/√6 (1.22%), and the weekly target's misses come from that error.
    // A mean of the weekday's values (clipped) comes within a few percent of it; a median would be a quarter worse.
    const random = mulberry32(45);
    const errors = Array.from({ length: 300 }, () => {
      const series = generateSeries({ kind: 'weekly', shift: 0 }, random);
      const verdict = judgeValue(series.points.slice(0, 45), series.points[45]!);
      assert.ok(verdict.judged && verdict.seasonal, verdict.reason);
      return verdict.expected / 100_000 - 1;
    });
    const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
    const sd = Math.sqrt(errors.reduce((a, b) => a + (b - mean) ** 2, 0) / (errors.length - 1));
    const floor = 0.03 / Math.sqrt(6);
    assert.ok(Math.abs(mean) < 0.003, `biased by ${mean}`);
    assert.ok(sd > 0.85 * floor && sd < 1.15 * floor, `errs by ${sd}, the floor is ${floor}`);
  });

  it('keeps the false alarms of every series kind near what the range promises (about 1.6 per 100 at 2.4)', () => {
    // An honest range at 2.4 deviations leaves 1.6% of normal values outside it. 40 normal series a kind
    // (about 1,800 judged values) put that within about 0.3 of 1.6; a range too narrow for one kind (a missed
    // trend or season, a spread read low) fails: a tenth too narrow gives about 2.7 per 100, a fifth 5.
    const random = mulberry32(46);
    for (const kind of seriesKinds) {
      const set = Array.from({ length: 40 }, () => generateSeries({ kind, shift: 0 }, random));
      const { normal } = evaluateDetector(set);
      assert.ok(normal[0]!.per100 < 2.5, `${kind}: ${normal[0]!.per100} false alarms per 100`);
    }
  });

  for (const kind of ['trending', 'weekly'] as const) {
    it(`does not alarm on a ${kind} series with 3% noise, and catches a +15% shift on it on its first day`, () => {
      const random = mulberry32(kind === 'trending' ? 43 : 44);
      const set = [
        ...Array.from({ length: 40 }, () => generateSeries({ kind, shift: 0.15 }, random)),
        ...Array.from({ length: 20 }, () => generateSeries({ kind, shift: 0 }, random)),
      ];
      const { shifts, normal } = evaluateDetector(set);
      // Looser than the target on 40 series: a bound a sample this small keeps, while a detector that misses the trend or season fails it.
      assert.ok(shifts[0]!.firstDay >= 0.85, `caught ${shifts[0]!.firstDay}`);
      assert.ok(normal[0]!.per100 < 3, `${normal[0]!.per100} false alarms per 100`);
    });
  }
});
