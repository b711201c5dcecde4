/**
 * What every toolkit function returns for one input value: the cleaned value,
 * or no value and a flag with a reason when the tool cannot decide. A tool never
 * guesses silently, so a user can route every flagged value to review.
 *
 * - `ambiguous`: the value reads more than one way and nothing in the column settles it;
 * - `invalid`: the value has a known shape but names something that does not exist (30 February);
 * - `unrecognised`: the value has no shape the tool knows;
 * - `review`: the value is close to known values but not close enough to decide (a dictionary's fuzzy match under its threshold).
 *
 * An empty input (null, undefined, blank text) gives `{ value: null }` without a flag: missing is not wrong.
 */
export type ToolFlag = 'ambiguous' | 'invalid' | 'unrecognised' | 'review';

export interface CleanedValue<T = string> {
  readonly value: T | null;
  readonly flag?: ToolFlag;
  readonly reason?: string;
}

export function flagged(flag: ToolFlag, reason: string): CleanedValue<never> {
  return { value: null, flag, reason };
}

/** How many values of a column came out clean, empty or under each flag. */
export interface FlagCounts {
  readonly cleaned: number;
  readonly empty: number;
  readonly ambiguous: number;
  readonly invalid: number;
  readonly unrecognised: number;
  readonly review: number;
}

export function countFlags(results: readonly CleanedValue<unknown>[]): FlagCounts {
  const counts = { cleaned: 0, empty: 0, ambiguous: 0, invalid: 0, unrecognised: 0, review: 0 };
  for (const result of results) {
    if (result.flag) counts[result.flag]++;
    else if (result.value === null) counts.empty++;
    else counts.cleaned++;
  }
  return counts;
}

/** The input as trimmed text, or null when it is missing or blank. */
export function inputText(input: unknown): string | null {
  if (input === null || input === undefined) return null;
  const text = (typeof input === 'string' ? input : String(input)).trim();
  return text === '' ? null : text;
}
