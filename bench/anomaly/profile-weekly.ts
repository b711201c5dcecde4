/**
 * Why a +15% shift is missed on the weekly series: replays the tuning set's weekly series and, on the
 * shift day, splits each verdict's error into the expected value's error against the truth, the
 * spread against the noise it stands for, and the day's own noise draw.
 *
 *   npx tsx bench/anomaly/profile-weekly.ts [--seeds 7,11 --repeats 100 --kind weekly]
 */
import { parseArgs } from 'node:util';
import { defaultThreshold, judgeValue, type MetricObservation } from '../../src/core/quality/anomaly-detector.ts';
import { generateSeries, mulberry32, noiseOf, seriesKinds, type SeriesKind } from './labelled-series.ts';
import { tuningSeeds } from './seeds.ts';

const { values } = parseArgs({ options: { seeds: { type: 'string', default: tuningSeeds.join(',') }, repeats: { type: 'string', default: '100' }, kind: { type: 'string', default: 'weekly' } } });
const kind = values.kind as SeriesKind;
const weekdayFactor = [0.7, 1.15, 1.05, 1.0, 1.0, 1.1, 0.75];
const rows: { caught: boolean; expErr: number; spreadRatio: number; noise: number; seasonal: boolean; trend: boolean }[] = [];
for (const seed of values.seeds.split(',').map(Number)) {
  const random = mulberry32(seed);
  for (const k of seriesKinds) {
    for (const shift of [0, 0.15]) {
      for (let r = 0; r < Number(values.repeats); r++) {
        const series = generateSeries({ kind: k, shift }, random);
        if (k !== kind || shift === 0) continue;
        const history: MetricObservation[] = [];
        for (const [day, point] of series.points.entries()) {
          const verdict = judgeValue(history, point);
          if (day === series.shiftDay) {
            if (!verdict.judged) throw new Error('not judged');
            const dow = new Date(point.date).getUTCDay();
            const trendLevel = k === 'trending' ? 1 + 0.01 * day : 1;
            const truth = 100_000 * trendLevel * (k === 'weekly' ? weekdayFactor[dow]! : 1);
            const spread = (verdict.high - verdict.expected) / defaultThreshold;
            rows.push({
              caught: verdict.anomaly,
              expErr: verdict.expected / truth - 1,
              spreadRatio: spread / (verdict.expected * noiseOf(k)),
              noise: point.value / (truth * 1.15) - 1,
              seasonal: verdict.seasonal,
              trend: verdict.trend,
            });
            break;
          }
          const anomaly = verdict.judged && verdict.anomaly;
          history.push({ value: point.value, date: point.date, ...(anomaly ? { flaggedRange: { low: verdict.low, high: verdict.high } } : {}) });
        }
      }
    }
  }
}
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]): number => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
const f = (x: number): string => (100 * x).toFixed(2).padStart(7);
console.log(`${kind} +15%: ${rows.length} series, caught ${rows.filter((r) => r.caught).length}; seasonal ${rows.filter((r) => r.seasonal).length}, trend ${rows.filter((r) => r.trend).length}`);
console.log(`expected error: mean ${f(mean(rows.map((r) => r.expErr)))}% sd ${f(sd(rows.map((r) => r.expErr)))}%`);
console.log(`spread / (expected x noise): mean ${mean(rows.map((r) => r.spreadRatio)).toFixed(3)} sd ${sd(rows.map((r) => r.spreadRatio)).toFixed(3)}`);
console.log(`day noise: sd ${f(sd(rows.map((r) => r.noise)))}%`);
console.log('misses:   expErr%  spread  noise%  trend');
for (const r of rows.filter((r) => !r.caught)) console.log(`        ${f(r.expErr)} ${r.spreadRatio.toFixed(3).padStart(7)} ${f(r.noise)}  ${r.trend}`);
