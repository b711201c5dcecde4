import { countFlags, flagged, inputText, type CleanedValue, type FlagCounts } from '../cleaned-value.ts';
import { tokenCounter, tokenEncodings, type TokenEncoding } from './token-counter.ts';

export { tokenEncodings, type TokenEncoding };

export interface TokenLimitOptions {
  /** Values with more tokens than this are dropped. */
  readonly max?: number | undefined;
  /** Values with fewer tokens than this are dropped (default 1: empty values are dropped). */
  readonly min?: number | undefined;
  /** Default `o200k_base`. */
  readonly encoding?: TokenEncoding | undefined;
}

/** A value kept, with its token count; or dropped (value null) with a flag and reason. A value over `max` is counted only that far, so its `tokens` is null. */
export interface CountedValue extends CleanedValue {
  readonly tokens: number | null;
}

export interface TokenLimitReport extends FlagCounts {
  readonly kept: number;
  readonly tooLong: number;
  readonly tooShort: number;
  /** Tokens in the kept values. */
  readonly keptTokens: number;
}

export interface LimitedTexts {
  readonly values: CountedValue[];
  readonly report: TokenLimitReport;
}

/**
 * Counts each value's tokens with an offline tokenizer (gpt-tokenizer) and
 * drops, with the reason, the values over `max` or under `min`, so training
 * examples fit a model's context. Every value keeps its count.
 *
 * ```ts
 * const { values, report } = limitTokens(answers, { max: 512 });
 * // report -> { kept: 980, tooLong: 15, tooShort: 5, ... }
 * // values[i] -> { value: null, tokens: null, flag: 'invalid', reason: 'over the limit of 512 tokens' }
 * ```
 */
export function limitTokens(values: readonly unknown[], options: TokenLimitOptions = {}): LimitedTexts {
  const encoding = options.encoding ?? 'o200k_base';
  if (!tokenEncodings.includes(encoding)) throw new RangeError(`no token encoding '${String(encoding)}' (encodings: ${tokenEncodings.join(', ')})`);
  const min = options.min ?? 1;
  const max = options.max ?? Infinity;
  if (!(min >= 0) || !(max >= min)) throw new RangeError(`token limits must satisfy 0 <= min <= max (got min ${min}, max ${max})`);
  const counter = tokenCounter(encoding);
  let tooLong = 0;
  let tooShort = 0;
  let keptTokens = 0;
  const results = values.map((input): CountedValue => {
    const text = inputText(input);
    const tokens = text === null ? 0 : counter(text, max);
    if (tokens === false) {
      tooLong++;
      return { ...flagged('invalid', `over the limit of ${max} tokens`), tokens: null };
    }
    if (tokens < min) {
      tooShort++;
      return text === null ? { value: null, tokens, ...(min > 0 ? { flag: 'invalid' as const, reason: `empty, under the minimum of ${min} token${min === 1 ? '' : 's'}` } : {}) } : { ...flagged('invalid', `${tokens} token${tokens === 1 ? '' : 's'}, under the minimum of ${min}`), tokens };
    }
    keptTokens += tokens;
    return { value: text, tokens };
  });
  return { values: results, report: { ...countFlags(results), kept: results.length - tooLong - tooShort, tooLong, tooShort, keptTokens } };
}
