/**
 * The labelled set the anomaly detector is evaluated on: daily metric series
 * (steady, trending, weekly-seasonal, noisy), some with a level shift from a
 * known day on. The same seed always gives the same set, so a change to the
 * detector is measured on exactly the data the last one was.
 */

export const seriesKinds = ['steady', 'trending', 'weekly', 'noisy'] as const;
export type SeriesKind = (typeof seriesKinds)[number];

/** Level shifts injected, as a share of the level (0 = a normal series). */
export const shiftSizes = [-0.5, -0.15, -0.05, 0.05, 0.15, 0.5] as const;

export interface LabelledSeries {
  readonly kind: SeriesKind;
  /** The injected shift (0: none). */
  readonly shift: number;
  /** The day the shift starts; undefined for a normal series. */
  readonly shiftDay?: number | undefined;
  readonly points: readonly { readonly date: string; readonly value: number; readonly anomaly: boolean }[];
}

export interface SeriesSpec {
  readonly kind: SeriesKind;
  readonly shift: number;
  readonly days?: number;
  /** The day the shift starts (default: 45, after six weeks of history). */
  readonly shiftDay?: number;
}

/** Daily noise, as a share of the level: 3% for most series, 10% for the noisy one. */
export const noiseOf = (kind: SeriesKind): number => (kind === 'noisy' ? 0.1 : 0.03);

/** Sunday first; weekends sell less, Mondays catch up. */
const weekdayFactor = [0.7, 1.15, 1.05, 1.0, 1.0, 1.1, 0.75];

/** One series of the set; `random` is the seed's stream, so series drawn in order are reproducible. */
export function generateSeries(spec: SeriesSpec, random: () => number): LabelledSeries {
  const days = spec.days ?? 60;
  const shiftDay = spec.shift ? (spec.shiftDay ?? 45) : undefined;
  const start = Date.UTC(2024, 0, 1);
  const base = 100_000;
  const points = Array.from({ length: days }, (_, day) => {
    const date = new Date(start + day * 86_400_000);
    let level = base;
    if (spec.kind === 'trending') level *= 1 + 0.01 * day;
    if (spec.kind === 'weekly') level *= weekdayFactor[date.getUTCDay()]!;
    const shifted = shiftDay !== undefined && day >= shiftDay;
    if (shifted) level *= 1 + spec.shift;
    const value = level * (1 + noiseOf(spec.kind) * gaussian(random));
    return { date: date.toISOString().slice(0, 10), value: Math.round(value * 100) / 100, anomaly: shifted };
  });
  return { kind: spec.kind, shift: spec.shift, shiftDay, points };
}

/**
 * Every kind with every shift (and none), `repeats` times each, from one seed.
 * With `everyWeekday`, the i-th series of a kind and shift starts its shift on
 * day 45 + (i mod 7), so the shifts fall on every weekday in turn rather than
 * always on day 45 (a Thursday); the draws are the same, so the two sets
 * differ only in where the shift starts.
 */
export function generateLabelledSet(seed = 20240501, repeats = 200, options: { readonly everyWeekday?: boolean } = {}): LabelledSeries[] {
  const random = mulberry32(seed);
  const set: LabelledSeries[] = [];
  for (const kind of seriesKinds) {
    for (const shift of [0, ...shiftSizes]) {
      for (let i = 0; i < repeats; i++) set.push(generateSeries({ kind, shift, ...(options.everyWeekday ? { shiftDay: 45 + (i % 7) } : {}) }, random));
    }
  }
  return set;
}

/** A small, fast, seedable generator: the same seed gives the same numbers on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box-Muller). */
function gaussian(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
