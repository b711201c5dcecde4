/**
 * Scores a tool's answers against a labelled corpus: right (the expected value,
 * or the expected flag), flagged (a flag where a value was expected: safe, but
 * work for a reviewer) and wrong (a value that differs from the expected one, or
 * a value where a flag was expected: a silent change, which must stay at 0).
 */
export type Expected = string | null | { readonly flag: string };

export interface Outcome {
  readonly input: unknown;
  readonly expected: Expected;
  readonly got: { readonly value: string | null; readonly flag?: string; readonly reason?: string };
}

export interface Score {
  readonly right: number;
  readonly flagged: number;
  readonly wrong: number;
  readonly misses: readonly Outcome[];
}

export function scoreOutcomes(outcomes: readonly Outcome[]): Score {
  let right = 0;
  let flaggedCount = 0;
  let wrong = 0;
  const misses: Outcome[] = [];
  for (const outcome of outcomes) {
    const { expected, got } = outcome;
    const expectsFlag = expected !== null && typeof expected === 'object';
    if (expectsFlag ? got.flag === expected.flag : !got.flag && got.value === expected) right++;
    else {
      misses.push(outcome);
      if (got.flag) flaggedCount++;
      else wrong++;
    }
  }
  return { right, flagged: flaggedCount, wrong, misses };
}
