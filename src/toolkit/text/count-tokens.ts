import { createRequire } from 'node:module';
import { countFlags, flagged, inputText, type CleanedValue, type FlagCounts } from '../cleaned-value.ts';

/** Tokenizers of OpenAI models, by encoding: `o200k_base` (GPT-4o and later), `cl100k_base` (GPT-4, GPT-3.5). */
export const tokenEncodings = ['o200k_base', 'cl100k_base'] as const;
export type TokenEncoding = (typeof tokenEncodings)[number];

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

interface Tokenizer {
  countTokens(text: string, options?: { disallowedSpecial?: Set<string> }): number;
  isWithinTokenLimit(text: string, limit: number, options?: { disallowedSpecial?: Set<string> }): false | number;
}

/** Text that spells a special token (`<|endoftext|>`) is counted as the plain text it is in a value, never refused. */
const asPlainText = { disallowedSpecial: new Set<string>() };

const require = createRequire(import.meta.url);
const tokenizers = new Map<TokenEncoding, Tokenizer>();

/** The encoding's tables load on first use (they are large), not when the package is imported. */
function tokenizer(encoding: TokenEncoding): Tokenizer {
  let found = tokenizers.get(encoding);
  if (!found) {
    found = require(`gpt-tokenizer/encoding/${encoding}`) as Tokenizer;
    tokenizers.set(encoding, found);
  }
  return found;
}

/**
 * A count of a text's tokens, or false when it is over `max`. A text far longer
 * than the limit is counted only up to it. Text spelling a special token is
 * rare, so the plain-text options (which the tokenizer re-reads on each call)
 * are given only when the default refuses one.
 */
function counterFor(counter: Tokenizer, max: number): (text: string) => number | false {
  const full = (text: string): number => {
    try {
      return counter.countTokens(text);
    } catch {
      return counter.countTokens(text, asPlainText);
    }
  };
  if (!Number.isFinite(max)) return full;
  // A token holds at most a few dozen characters in practice; below this length counting in full is cheaper than stopping early.
  const longText = max * 8;
  return (text) => {
    if (text.length <= longText) {
      const tokens = full(text);
      return tokens > max ? false : tokens;
    }
    return counter.isWithinTokenLimit(text, max, asPlainText);
  };
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
  const count = counterFor(tokenizer(encoding), max);
  let tooLong = 0;
  let tooShort = 0;
  let keptTokens = 0;
  const results = values.map((input): CountedValue => {
    const text = inputText(input);
    const tokens = text === null ? 0 : count(text);
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
