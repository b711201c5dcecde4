import { createRequire } from 'node:module';
import { o200kPieceEnd, o200kSplitSource, scannable } from './o200k-pieces.ts';

/** Tokenizers of OpenAI models, by encoding: `o200k_base` (GPT-4o and later), `cl100k_base` (GPT-4, GPT-3.5). */
export const tokenEncodings = ['o200k_base', 'cl100k_base'] as const;
export type TokenEncoding = (typeof tokenEncodings)[number];

/** A text's token count, or false once it passes `limit`. */
export type TokenCounter = (text: string, limit: number) => number | false;

interface EncodingApi {
  countTokens(text: string, options?: { disallowedSpecial?: Set<string> }): number;
  isWithinTokenLimit(text: string, limit: number, options?: { disallowedSpecial?: Set<string> }): false | number;
  default?: { bytePairEncodingCoreProcessor?: BytePairCore };
}

/** The parts of gpt-tokenizer's byte-pair core a count needs. */
interface BytePairCore {
  tokenSplitRegex: RegExp;
  bytePairStringRankEncoder: Map<string, number>;
  bytePairEncode(piece: string): number[];
}

/** Text that spells a special token (`<|endoftext|>`) is counted as the plain text it is in a value, never refused. */
const asPlainText = { disallowedSpecial: new Set<string>() };

const require = createRequire(import.meta.url);
const counters = new Map<TokenEncoding, TokenCounter>();

/** The encoding's counter; its tables load on first use (they are large), not when the package is imported. */
export function tokenCounter(encoding: TokenEncoding): TokenCounter {
  let found = counters.get(encoding);
  if (!found) {
    const api = require(`gpt-tokenizer/encoding/${encoding}`) as EncodingApi;
    found = pieceCounter(api, encoding) ?? packageCounter(api);
    counters.set(encoding, found);
  }
  return found;
}

/**
 * Counts as the package's own `countTokens` does with no special token
 * allowed (split into pieces, a piece in the vocabulary is one token, any other
 * is byte-pair merged), without its per-call option handling and iterators,
 * stopping once the limit is passed. o200k_base pieces are found by a scanner
 * written for its expression (see o200k-pieces.ts), other encodings' by their
 * expression. Null when the package's core has another shape than the one this
 * was written for, so the package's own functions count instead.
 */
function pieceCounter(api: EncodingApi, encoding: TokenEncoding): TokenCounter | null {
  const core = api.default?.bytePairEncodingCoreProcessor;
  if (!core || !(core.tokenSplitRegex instanceof RegExp) || !(core.bytePairStringRankEncoder instanceof Map) || typeof core.bytePairEncode !== 'function') return null;
  const ranks = core.bytePairStringRankEncoder;
  const tokensOf = (piece: string): number => (ranks.has(piece) ? 1 : core.bytePairEncode(piece).length);
  const split = new RegExp(core.tokenSplitRegex.source, core.tokenSplitRegex.flags.includes('g') ? core.tokenSplitRegex.flags : `${core.tokenSplitRegex.flags}g`);
  const byExpression = (text: string, limit: number): number | false => {
    split.lastIndex = 0;
    let count = 0;
    for (let match = split.exec(text); match !== null; match = split.exec(text)) {
      count += tokensOf(match[0]);
      if (count > limit) return false;
    }
    return count;
  };
  if (encoding !== 'o200k_base' || core.tokenSplitRegex.source !== o200kSplitSource) return byExpression;
  const memo = new PieceMemo();
  return (text, limit) => {
    if (!scannable(text)) return byExpression(text, limit);
    const n = text.length;
    let count = 0;
    for (let start = 0; start < n; ) {
      const end = o200kPieceEnd(text, start, n);
      let tokens = memo.find(text, start, end);
      if (tokens < 0) {
        const piece = text.slice(start, end);
        tokens = tokensOf(piece);
        memo.add(piece, tokens);
      }
      count += tokens;
      if (count > limit) return false;
      start = end;
    }
    return count;
  };
}

/**
 * Token counts of the pieces seen most, found by a hash of the piece's
 * characters where they lie in the text: a piece seen before costs no new
 * string and no lookup in the encoding's large vocabulary map. Holds at most
 * `slots / 2` pieces; later pieces are counted each time.
 */
class PieceMemo {
  private readonly pieces: (string | undefined)[];
  private readonly counts: Int32Array;
  private readonly mask: number;
  private size = 0;

  constructor(slots = 1 << 16) {
    this.pieces = new Array<string | undefined>(slots).fill(undefined);
    this.counts = new Int32Array(slots);
    this.mask = slots - 1;
  }

  /** The count of `text[start, end)`, or -1 when it is not held. */
  find(text: string, start: number, end: number): number {
    const length = end - start;
    for (let slot = hashOf(text, start, end) & this.mask; ; slot = (slot + 1) & this.mask) {
      const piece = this.pieces[slot];
      if (piece === undefined) return -1;
      if (piece.length === length && sameAt(text, start, piece)) return this.counts[slot]!;
    }
  }

  add(piece: string, tokens: number): void {
    if (this.size * 2 >= this.pieces.length) return;
    let slot = hashOf(piece, 0, piece.length) & this.mask;
    while (this.pieces[slot] !== undefined) slot = (slot + 1) & this.mask;
    this.pieces[slot] = piece;
    this.counts[slot] = tokens;
    this.size++;
  }
}

function sameAt(text: string, start: number, piece: string): boolean {
  for (let i = 0; i < piece.length; i++) if (text.charCodeAt(start + i) !== piece.charCodeAt(i)) return false;
  return true;
}

/** FNV-1a over UTF-16 code units. */
function hashOf(text: string, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/**
 * The package's own functions. Text spelling a special token is rare, so the
 * plain-text options (which the tokenizer re-reads on each call) are given only
 * when the default refuses one.
 */
function packageCounter(api: EncodingApi): TokenCounter {
  const full = (text: string): number => {
    try {
      return api.countTokens(text);
    } catch {
      return api.countTokens(text, asPlainText);
    }
  };
  return (text, limit) => {
    // A token holds at most a few dozen characters in practice; below this length counting in full is cheaper than stopping early.
    if (!Number.isFinite(limit) || text.length <= limit * 8) {
      const tokens = full(text);
      return tokens > limit ? false : tokens;
    }
    return api.isWithinTokenLimit(text, limit, asPlainText);
  };
}
