/**
 * Evaluates the anomaly detector on labelled sets drawn from the reporting
 * seeds and prints, per series kind, the share of level shifts caught on
 * their first day (and within three days) and the false alarms per 100
 * normal values. The detector's choices (threshold, window, estimators) were
 * made on the tuning seeds (bench/anomaly/tune-threshold.ts), never on these.
 *
 * With --every-weekday the shifts start on every weekday in turn (days 45 to
 * 51) instead of always on day 45, a Thursday: a harder, more realistic set
 * for the weekly series, drawn from the same numbers. --kinds limits the kinds
 * judged (the set is drawn whole, so the figures match a full run's).
 * --threshold judges with another threshold than the detector's default (to
 * report a candidate chosen on the tuning seeds before it becomes the default).
 *
 *   npm run eval:anomaly [-- --seeds 20240501,20261206,31415926,27182818 --repeats N --every-weekday --kinds weekly --threshold 2.4]
 */
import { parseArgs } from 'node:util';
import { evaluateDetector } from './evaluate-detector.ts';
import { generateLabelledSet, noiseOf, seriesKinds, shiftSizes } from './labelled-series.ts';
import { reportingSeeds, tuningSeeds } from './seeds.ts';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: reportingSeeds.join(',') },
    repeats: { type: 'string', default: '200' },
    'every-weekday': { type: 'boolean', default: false },
    kinds: { type: 'string', default: seriesKinds.join(',') },
    threshold: { type: 'string' },
  },
});
const kinds = seriesKinds.filter((kind) => values.kinds.split(',').includes(kind));
const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
const pct = (share: number): string => `${(100 * share).toFixed(1)}%`;

for (const seed of values.seeds.split(',').map(Number)) {
  const everyWeekday = values['every-weekday'];
  const set = generateLabelledSet(seed, Number(values.repeats), { everyWeekday }).filter((series) => kinds.includes(series.kind));
  const { shifts, normal } = evaluateDetector(set, { threshold });
  const split = (tuningSeeds as readonly number[]).includes(seed)
    ? `a TUNING seed: the detector's choices were made on it, so these figures flatter it`
    : `a reporting seed: tuned on seeds ${tuningSeeds.join(' and ')} only, nothing was chosen on this one`;
  console.log(`Anomaly detector: ${set.length} labelled 60-day series (seed ${seed}, ${split}; ${values.repeats} per kind and shift; ${everyWeekday ? 'shift on days 45 to 51, every weekday in turn' : 'shift on day 45'}${threshold === undefined ? '' : `; threshold ${threshold}`})\n`);
  console.log(`detection on the first day (within three days)`);
  console.log(['kind (noise)'.padEnd(16), ...shiftSizes.map((s) => `${s > 0 ? '+' : ''}${Math.round(s * 100)}%`.padStart(18))].join(''));
  for (const kind of kinds) {
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
