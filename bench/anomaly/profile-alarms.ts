/**
 * Where the false alarms come from: replays the tuning set's normal series and counts false alarms
 * per 100 judged values by how much history the detector had, per series kind. A detector whose
 * range is honest at every history length alarms about equally often early and late.
 *
 *   npx tsx bench/anomaly/profile-alarms.ts [--seeds 7,11 --repeats 100 --threshold 2.45]
 */
import { parseArgs } from 'node:util';
import { judgeValue, type MetricObservation } from '../../src/core/quality/anomaly-detector.ts';
import { generateSeries, mulberry32, seriesKinds } from './labelled-series.ts';
import { tuningSeeds } from './seeds.ts';

const { values } = parseArgs({ options: { seeds: { type: 'string', default: tuningSeeds.join(',') }, repeats: { type: 'string', default: '100' }, threshold: { type: 'string' } } });
const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
const buckets = [14, 21, 31, 45, 60];
const tally = new Map<string, { judged: number; alarms: number }>();
for (const seed of values.seeds.split(',').map(Number)) {
  const random = mulberry32(seed);
  for (const kind of seriesKinds) {
    for (const shift of [0, 0.15]) {
      for (let r = 0; r < Number(values.repeats); r++) {
        const series = generateSeries({ kind, shift }, random);
        if (shift !== 0) continue;
        const history: MetricObservation[] = [];
        for (const [day, point] of series.points.entries()) {
          const verdict = judgeValue(history, point, { threshold });
          const anomaly = verdict.judged && verdict.anomaly;
          if (verdict.judged) {
            const bucket = buckets.findLast((b) => day >= b)!;
            const t = tally.get(`${kind} ${bucket}`) ?? { judged: 0, alarms: 0 };
            t.judged += 1;
            if (anomaly) t.alarms += 1;
            tally.set(`${kind} ${bucket}`, t);
          }
          history.push({ value: point.value, date: point.date, ...(anomaly ? { flaggedRange: { low: verdict.low, high: verdict.high } } : {}) });
        }
      }
    }
  }
}
console.log(['history'.padEnd(10), ...seriesKinds.map((k) => k.padStart(16))].join(''));
for (const [i, b] of buckets.slice(0, -1).entries()) {
  const cells = seriesKinds.map((k) => {
    const t = tally.get(`${k} ${b}`)!;
    return `${((100 * t.alarms) / t.judged).toFixed(2)} (${t.alarms}/${t.judged})`.padStart(16);
  });
  console.log([`${b}-${buckets[i + 1]! - 1}`.padEnd(10), ...cells].join(''));
}
