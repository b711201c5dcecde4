/**
 * Chooses the detector's threshold on a tuning set drawn from its own seed
 * (neither the main nor the held-out set of `npm run eval:anomaly`): for each
 * candidate, the first-day detection of a +15% shift and the false alarms per
 * 100 normal runs of every series kind.
 *
 *   npx tsx bench/anomaly/tune-threshold.ts [--seed N --repeats N --thresholds 2.3,2.4,2.5]
 */
import { parseArgs } from 'node:util';
import { evaluateDetector } from './evaluate-detector.ts';
import { generateLabelledSet, seriesKinds } from './labelled-series.ts';

const { values } = parseArgs({ options: { seed: { type: 'string', default: '7' }, repeats: { type: 'string', default: '200' }, thresholds: { type: 'string', default: '2.3,2.4,2.5,2.6,2.7' } } });
const set = generateLabelledSet(Number(values.seed), Number(values.repeats));
console.log(`tuning set: seed ${values.seed}, ${set.length} series`);
console.log(['threshold', ...seriesKinds.map((k) => `${k} +15% / FA`)].map((c) => c.padEnd(22)).join(''));
for (const threshold of values.thresholds.split(',').map(Number)) {
  const { shifts, normal } = evaluateDetector(set, { threshold });
  const cells = seriesKinds.map((kind) => {
    const caught = shifts.find((s) => s.kind === kind && Math.abs(s.shift - 0.15) < 1e-9)!.firstDay;
    const fa = normal.find((n) => n.kind === kind)!.per100;
    return `${(100 * caught).toFixed(1)}% / ${fa.toFixed(2)}`;
  });
  console.log([String(threshold), ...cells].map((c) => c.padEnd(22)).join(''));
}
