import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeValue, type MetricObservation } from './anomaly-detector.ts';
import { generateSeries, mulberry32 } from '../../../bench/anomaly/labelled-series.ts';
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

  it('keeps one unmarked wild value from widening the normal range', () => {
    const history = steady(28);
    const wild = judgeValue(history, { value: 1_000_000, date: day(28) });
    assert.ok(wild.judged);
    const next = judgeValue([...history, { value: 1_000_000, date: day(28), flaggedRange: { low: wild.low, high: wild.high } }], { value: 115_000, date: day(29) });
    assert.ok(next.judged && next.anomaly, next.reason);
  });
});

describe('the detector on the labelled set', () => {
  it('catches a +15% shift on 3% noise on its first day at least 95% of the time, with under 2 false alarms per 100 runs', () => {
    const random = mulberry32(42);
    const set = [
      ...Array.from({ length: 60 }, () => generateSeries({ kind: 'steady', shift: 0.15 }, random)),
      ...Array.from({ length: 30 }, () => generateSeries({ kind: 'steady', shift: 0 }, random)),
    ];
    const { shifts, normal } = evaluateDetector(set);
    assert.ok(shifts[0]!.firstDay >= 0.95, `caught ${shifts[0]!.firstDay}`);
    assert.ok(normal[0]!.per100 < 2, `${normal[0]!.per100} false alarms per 100`);
  });
});
