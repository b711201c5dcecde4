import { foldText } from '../fold-text.ts';
import { assignOneToOne } from './assign-one-to-one.ts';
import { nameTokens } from './name-tokens.ts';
import { scoreFieldPair, type FieldFacts } from './score-field-pair.ts';
import { typeFamily } from './type-compatibility.ts';
import { valueFormats } from './value-formats.ts';

/** A column to map: its name, its type as its system names it, and some of its values as text. */
export interface FieldSample {
  readonly name: string;
  readonly type: string;
  readonly values: readonly string[];
}

/** A target column a source column could map onto. */
export interface FieldCandidate {
  readonly target: string;
  /** 0 to 1. */
  readonly confidence: number;
  readonly reason: string;
}

/** What a source column maps onto: a target, or none (`target: null`) when nothing scored above the threshold. */
export interface FieldSuggestion {
  readonly source: string;
  readonly target: string | null;
  readonly confidence: number;
  readonly reason: string;
  /** The best targets by score alone (up to three), before the one-to-one assignment. */
  readonly candidates: readonly FieldCandidate[];
}

export interface SuggestFieldMappingOptions {
  /** Below this score a source column gets no target: "no match" rather than a guess. Default 0.5. */
  readonly threshold?: number;
  /** Let several source columns map onto one target (each takes its best); by default each target is used once. */
  readonly manyToOne?: boolean;
}

export const defaultMappingThreshold = 0.5;

/**
 * Suggests, for each source column in order, the target column it maps onto,
 * with a confidence and the reason. The signals are the names (after
 * splitting camelCase, snake_case and run-together words and expanding
 * abbreviations and synonyms: `CUST_NO` reads customer number), type
 * compatibility, the format of sample values (email addresses, phones,
 * dates, ISO codes, postal codes, amounts...) and sample values the two
 * share. Targets are then assigned one to one so the total score is the
 * largest; a column whose best target scores under the threshold gets none.
 *
 * ```ts
 * suggestFieldMapping(
 *   [{ name: 'CUST_EMAIL', type: 'VARCHAR', values: ['a@x.io'] }],
 *   [{ name: 'customer_email_address', type: 'text', values: ['b@y.com'] }, { name: 'customer_id', type: 'int', values: ['1'] }],
 * ); // [{ source: 'CUST_EMAIL', target: 'customer_email_address', confidence: 0.96, reason: 'names match (CUST → customer); ...' }]
 * ```
 */
export function suggestFieldMapping(
  source: readonly FieldSample[],
  target: readonly FieldSample[],
  options: SuggestFieldMappingOptions = {},
): FieldSuggestion[] {
  const threshold = options.threshold ?? defaultMappingThreshold;
  const targets = target.map(fieldFacts);
  const scores = source.map(fieldFacts).map((s) => targets.map((t) => scoreFieldPair(s, t)));
  const chosen = options.manyToOne
    ? scores.map((row) => bestIndex(row.map((p) => p.score), threshold))
    : assignOneToOne(scores.map((row) => row.map((p) => (p.score >= threshold ? p.score - threshold + 1e-6 : 0))));
  return source.map((column, i) => {
    const row = scores[i]!;
    const ranked = row.map((p, j) => ({ target: target[j]!.name, confidence: p.score, reason: p.reason })).sort((a, b) => b.confidence - a.confidence);
    const j = chosen[i]!;
    if (j >= 0) return { source: column.name, target: target[j]!.name, confidence: row[j]!.score, reason: row[j]!.reason, candidates: ranked.slice(0, 3) };
    const nearest = ranked[0];
    const taken = nearest && nearest.confidence >= threshold;
    return {
      source: column.name,
      target: null,
      confidence: 0,
      reason: !nearest
        ? 'the target has no columns'
        : taken
          ? `no match: its best targets went to columns that fit them better (${ranked.filter((c) => c.confidence >= threshold).map((c) => `${c.target} ${c.confidence.toFixed(2)}`).join(', ')})`
          : `no match: no target scored ${threshold} or more (nearest ${nearest.target}, ${nearest.confidence.toFixed(2)})`,
      candidates: ranked.slice(0, 3),
    };
  });
}

function fieldFacts(field: FieldSample): FieldFacts {
  return {
    name: field.name,
    type: field.type,
    tokens: nameTokens(field.name),
    family: typeFamily(field.type),
    formats: valueFormats(field.values),
    distinct: new Set(field.values.map((v) => foldText(v.trim())).filter((v) => v !== '')),
  };
}

function bestIndex(scores: readonly number[], threshold: number): number {
  let best = -1;
  for (let j = 0; j < scores.length; j++) if (scores[j]! >= threshold && (best < 0 || scores[j]! > scores[best]!)) best = j;
  return best;
}
