/**
 * Evaluates the anomaly detector on the labelled set and prints, per series
 * kind, the share of level shifts caught on their first day (and within
 * three days) and the false alarms per 100 normal values: for the set of the
 * main seed, then for a held-out set drawn from another seed, which no
 * choice in the detector was made on.
 *
 *   npm run eval:anomaly [-- --seed N --held-out N --repeats N]
 */
import { parseArgs } from 'node:util';
import { evaluateDetector } from './evaluate-detector.ts';
import { generateLabelledSet, noiseOf, seriesKinds, shiftSizes } from './labelled-series.ts';

const { values } = parseArgs({
  options: { seed: { type: 'string', default: '20240501' }, 'held-out': { type: 'string', default: '20261206' }, repeats: { type: 'string', default: '200' } },
});
const pct = (share: number): string => `${(100 * share).toFixed(1)}%`;

for (const [label, seed] of [['main set', values.seed], ['held-out set', values['held-out']]] as const) {
  const set = generateLabelledSet(Number(seed), Number(values.repeats));
  const { shifts, normal } = evaluateDetector(set);
  console.log(`Anomaly detector, ${label}: ${set.length} labelled 60-day series (seed ${seed}, ${values.repeats} per kind and shift; shift on day 45)\n`);
  console.log(`detection on the first day (within three days)`);
  console.log(['kind (noise)'.padEnd(16), ...shiftSizes.map((s) => `${s > 0 ? '+' : ''}${Math.round(s * 100)}%`.padStart(18))].join(''));
  for (const kind of seriesKinds) {
    const cells = shiftSizes.map((shift) => {
      const score = shifts.find((s) => s.kind === kind && s.shift === shift)!;
      return `${pct(score.firstDay)} (${pct(score.withinThreeDays)})`.padStart(18);
    });
    console.log([`${kind} (${Math.round(noiseOf(kind) * 100)}%)`.padEnd(16), ...cells].join(''));
  }
  console.log(`\nfalse alarms per 100 normal runs`);
  for (const score of normal) console.log(`${score.kind.padEnd(16)}${score.per100.toFixed(2).padStart(8)}   (${score.falseAlarms} of ${score.judged})`);
  console.log('');
}
