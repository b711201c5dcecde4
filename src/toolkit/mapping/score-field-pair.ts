import { nameSimilarity } from './name-similarity.ts';
import type { NameToken } from './name-tokens.ts';
import { familyOfFormats, typeCompatibility, type TypeFamily } from './type-compatibility.ts';
import { formatNames, telling, type ValueFormat } from './value-formats.ts';

/** A column as the scorer sees it: worked out once per column, compared many times. */
export interface FieldFacts {
  readonly name: string;
  readonly type: string;
  readonly tokens: readonly NameToken[];
  readonly family: TypeFamily;
  readonly formats: ReadonlySet<ValueFormat>;
  /** Distinct non-empty sample values, folded to lower case. */
  readonly distinct: ReadonlySet<string>;
}

/** Each signal's score for one source/target pair, 0 to 1, and the score they make together. */
export interface PairScore {
  readonly score: number;
  readonly name: number;
  readonly type: number;
  readonly format: number;
  readonly overlap: number;
  readonly reason: string;
}

/** How much each signal counts. The name leads; values confirm or contradict it. */
export const signalWeights = { name: 0.6, format: 0.2, type: 0.2 } as const;
/** Overlapping sample values close this share of the gap to 1: they are strong evidence, but rare across systems. */
const overlapPull = 0.35;

/**
 * Scores mapping `source` onto `target`: name similarity after abbreviations
 * and synonyms, type compatibility, whether sample values share a format,
 * and how many sample values they share, with a reason naming the evidence.
 */
export function scoreFieldPair(source: FieldFacts, target: FieldFacts): PairScore {
  const name = nameSimilarity(source.tokens, target.tokens);
  const sameName = source.name.toLowerCase().replace(/[^a-z0-9]/g, '') === target.name.toLowerCase().replace(/[^a-z0-9]/g, '');
  const nameScore = sameName ? 1 : name.score;
  const sourceFamily = familyOfFormats(source.family, source.formats);
  const type = typeCompatibility(sourceFamily, familyOfFormats(target.family, target.formats), source.formats);
  const format = formatAgreement(source.formats, target.formats);
  const overlap = valueOverlap(source.distinct, target.distinct);
  const base = signalWeights.name * nameScore + signalWeights.format * format.score + signalWeights.type * type;
  const score = base + (1 - base) * overlapPull * overlap.share;
  const reasons = [
    sameName ? 'same name' : `names ${nameScore >= 0.75 ? 'match' : nameScore >= 0.4 ? 'partly match' : 'differ'}${name.readings.length ? ` (${name.readings.join(', ')})` : ''}`,
    typeReason(source, target, type),
    format.reason,
    overlap.reason,
  ].filter((r) => r !== '');
  return { score: Math.round(score * 100) / 100, name: nameScore, type, format: format.score, overlap: overlap.share, reason: reasons.join('; ') };
}

function formatAgreement(a: ReadonlySet<ValueFormat>, b: ReadonlySet<ValueFormat>): { score: number; reason: string } {
  const tellingA = [...a].filter((f) => telling.has(f));
  const tellingB = [...b].filter((f) => telling.has(f));
  const shared = tellingA.filter((f) => b.has(f));
  if (shared.length) return { score: 1, reason: `both hold ${formatNames[shared[0]!]}` };
  const convertible = convertibleFormats.find(([x, y]) => (a.has(x) && b.has(y)) || (a.has(y) && b.has(x)));
  if (convertible) return { score: 0.7, reason: `${formatNames[tellingA[0] ?? convertible[0]]} against ${formatNames[tellingB[0] ?? convertible[1]]}` };
  if (tellingA.length && tellingB.length) return { score: 0, reason: `values differ: ${formatNames[tellingA[0]!]} against ${formatNames[tellingB[0]!]}` };
  if (tellingA.length && b.size === 0 && tellingB.length === 0) return { score: 0.2, reason: '' };
  return { score: 0.5, reason: '' };
}

/** Formats that hold the same thing written another way. */
const convertibleFormats: readonly (readonly [ValueFormat, ValueFormat])[] = [
  ['epoch', 'date'], ['epoch', 'timestamp'], ['date', 'timestamp'], ['money', 'decimal'], ['country', 'us_state'], ['url', 'html'],
];

function typeReason(source: FieldFacts, target: FieldFacts, type: number): string {
  if (type >= 1) return source.family === 'unknown' ? '' : `both ${familyOfFormats(source.family, source.formats)}`;
  if (type <= 0.1) return `types do not fit (${source.type} into ${target.type})`;
  return `${source.type} into ${target.type} converts`;
}

function valueOverlap(a: ReadonlySet<string>, b: ReadonlySet<string>): { share: number; reason: string } {
  if (a.size < 2 || b.size < 2) return { share: 0, reason: '' };
  const shared = [...a].filter((v) => b.has(v));
  if (!shared.length) return { share: 0, reason: '' };
  const share = shared.length / Math.min(a.size, b.size);
  return { share, reason: `${shared.length} sample value${shared.length === 1 ? '' : 's'} in common (${shared.slice(0, 3).join(', ')})` };
}
