/**
 * Chooses the detector's threshold (and window) on tuning sets drawn from seeds of their
 * own (never the seeds `npm run eval:anomaly` reports on): for each
 * candidate, the first-day detection of a +15% shift and the false alarms per
 * 100 normal runs of every series kind. Only normal and +15% series are
 * drawn, the two figures the target is about.
 *
 *   npx tsx bench/anomaly/tune-threshold.ts [--seeds 7,11 --repeats N --thresholds 2.4,2.5,2.6 --window N]
 */
import { parseArgs } from 'node:util';
import { evaluateDetector } from './evaluate-detector.ts';
import { generateSeries, mulberry32, seriesKinds, type LabelledSeries } from './labelled-series.ts';
import { tuningSeeds } from './seeds.ts';

const { values } = parseArgs({
  options: { seeds: { type: 'string', default: tuningSeeds.join(',') }, repeats: { type: 'string', default: '100' }, thresholds: { type: 'string', default: '2.4,2.5,2.6,2.7' }, window: { type: 'string' } },
});
const seeds = values.seeds.split(',').map(Number);
const set: LabelledSeries[] = seeds.flatMap((seed) => {
  const random = mulberry32(seed);
  return seriesKinds.flatMap((kind) => [0, 0.15].flatMap((shift) => Array.from({ length: Number(values.repeats) }, () => generateSeries({ kind, shift }, random))));
});
const window = values.window === undefined ? undefined : Number(values.window);
console.log(`tuning set: seeds ${seeds.join(', ')}, ${set.length} series (normal and +15%, ${values.repeats} per kind and seed)${window ? `, window ${window}` : ''}`);
console.log(['threshold', ...seriesKinds.map((k) => `${k} +15% / FA`)].map((c) => c.padEnd(22)).join(''));
for (const threshold of values.thresholds.split(',').map(Number)) {
  const { shifts, normal } = evaluateDetector(set, { threshold, window });
  const cells = seriesKinds.map((kind) => {
    const caught = shifts.find((s) => s.kind === kind && Math.abs(s.shift - 0.15) < 1e-9)!.firstDay;
    const fa = normal.find((n) => n.kind === kind)!.per100;
    return `${(100 * caught).toFixed(1)}% / ${fa.toFixed(2)}`;
  });
  console.log([String(threshold), ...cells].map((c) => c.padEnd(22)).join(''));
}
