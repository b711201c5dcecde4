/**
 * The pre-tokenizer of the o200k_base encoding, written out by hand. The
 * encoding splits text into pieces with one regular expression (below) before
 * byte-pair merging each piece on its own; that expression, with its Unicode
 * property classes, costs more than the merging on text with a non-ASCII
 * character in it. This scanner finds the same pieces, character class by
 * character class, following the expression's alternatives and backtracking in
 * the order the expression tries them. A test holds it to the expression on
 * random text of every class.
 */
export const o200kSplitSource =
  "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?:'(?:[sS]|[dD]|[mM]|[tT]|[lL][lL]|[vV][eE]|[rR][eE]))?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?:'(?:[sS]|[dD]|[mM]|[tT]|[lL][lL]|[vV][eE]|[rR][eE]))?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

// Class bits of a UTF-16 code unit, as the expression's classes read it.
const known = 1;
/** [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]: the capitals-first run. */
const upper = 2;
/** [\p{Ll}\p{Lm}\p{Lo}\p{M}]: the lower-case run. */
const lower = 4;
/** \p{L} or \p{N}: never a lead character or punctuation. */
const letterOrDigit = 8;
const digit = 16;
const space = 32;
/** Surrogate halves: the expression reads code points, so text with them takes the expression itself. */
const surrogate = 64;

const classes = new Uint8Array(0x10000);
const upperClass = /[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]/u;
const lowerClass = /[\p{Ll}\p{Lm}\p{Lo}\p{M}]/u;
const letterOrDigitClass = /[\p{L}\p{N}]/u;
const digitClass = /\p{N}/u;
const spaceClass = /\s/u;

/** A code unit's class bits, worked out on first sight. */
function classOf(unit: number): number {
  const found = classes[unit]!;
  if (found !== 0) return found;
  let bits = known;
  if (unit >= 0xd800 && unit <= 0xdfff) bits |= surrogate;
  else {
    const char = String.fromCharCode(unit);
    if (upperClass.test(char)) bits |= upper;
    if (lowerClass.test(char)) bits |= lower;
    if (letterOrDigitClass.test(char)) bits |= letterOrDigit;
    if (digitClass.test(char)) bits |= digit;
    if (spaceClass.test(char)) bits |= space;
  }
  classes[unit] = bits;
  return bits;
}

const CR = 13;
const LF = 10;
const SPACE = 32;
const SLASH = 47;
const APOSTROPHE = 39;

/** Whether the scanner reads this text: every character in the Basic Multilingual Plane (the expression reads code points beyond it as pairs). */
export function scannable(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (classOf(text.charCodeAt(i)) & surrogate) return false;
  return true;
}

function at(text: string, i: number): number {
  return classOf(text.charCodeAt(i));
}

/** Where the piece starting at `p` ends, in a scannable text of length `n`. */
export function o200kPieceEnd(text: string, p: number, n: number): number {
  const unit = text.charCodeAt(p);
  const bits = classOf(unit);
  // [^\r\n\p{L}\p{N}]? : may lead a word.
  const leads = unit !== CR && unit !== LF && !(bits & letterOrDigit);
  // Alternative 1: lead? capitals* lower+ contraction?
  if (leads) {
    const end = capitalsThenLower(text, p + 1, n);
    if (end >= 0) return contraction(text, end, n);
  }
  let end = capitalsThenLower(text, p, n);
  if (end >= 0) return contraction(text, end, n);
  // Alternative 2: lead? capitals+ lower* contraction?
  if (leads) {
    end = capitalsAndLower(text, p + 1, n);
    if (end >= 0) return contraction(text, end, n);
  }
  end = capitalsAndLower(text, p, n);
  if (end >= 0) return contraction(text, end, n);
  // Alternative 3: \p{N}{1,3}
  if (bits & digit) {
    end = p + 1;
    while (end < n && end < p + 3 && at(text, end) & digit) end++;
    return end;
  }
  // Alternative 4: ' '? punctuation+ [\r\n/]*
  const punctuationFrom = unit === SPACE && p + 1 < n && isPunctuation(at(text, p + 1)) ? p + 1 : isPunctuation(bits) ? p : -1;
  if (punctuationFrom >= 0) {
    end = punctuationFrom + 1;
    while (end < n && isPunctuation(at(text, end))) end++;
    while (end < n) {
      const next = text.charCodeAt(end);
      if (next !== CR && next !== LF && next !== SLASH) break;
      end++;
    }
    return end;
  }
  // Only white space is left. Alternative 5: \s*[\r\n]+ ends after the run's last line break.
  let runEnd = p;
  let lastBreak = -1;
  while (runEnd < n && at(text, runEnd) & space) {
    const next = text.charCodeAt(runEnd);
    if (next === CR || next === LF) lastBreak = runEnd;
    runEnd++;
  }
  if (lastBreak >= 0) return lastBreak + 1;
  // Alternative 6: \s+(?!\S) leaves the run's last space to the word after it; alternative 7: \s+.
  if (runEnd === n) return runEnd;
  return runEnd - 1 > p ? runEnd - 1 : p + 1;
}

/** [^\s\p{L}\p{N}] */
function isPunctuation(bits: number): boolean {
  return (bits & (space | letterOrDigit)) === 0;
}

/** capitals* lower+ from `from`, backtracking the capitals as the expression does; -1 when no lower-case character follows. */
function capitalsThenLower(text: string, from: number, n: number): number {
  let capitalsEnd = from;
  while (capitalsEnd < n && at(text, capitalsEnd) & upper) capitalsEnd++;
  for (let k = capitalsEnd; k >= from; k--) {
    if (k < n && at(text, k) & lower) {
      let end = k + 1;
      while (end < n && at(text, end) & lower) end++;
      return end;
    }
  }
  return -1;
}

/** capitals+ lower* from `from`; -1 when no capital is there. */
function capitalsAndLower(text: string, from: number, n: number): number {
  let end = from;
  while (end < n && at(text, end) & upper) end++;
  if (end === from) return -1;
  while (end < n && at(text, end) & lower) end++;
  return end;
}

/** '(s|d|m|t|ll|ve|re), any case, when it follows. */
function contraction(text: string, end: number, n: number): number {
  if (end >= n || text.charCodeAt(end) !== APOSTROPHE) return end;
  const first = text.charCodeAt(end + 1) | 0x20;
  if (first === 0x73 || first === 0x64 || first === 0x6d || first === 0x74) return end + 2;
  const second = text.charCodeAt(end + 2) | 0x20;
  if ((first === 0x6c && second === 0x6c) || (first === 0x76 && second === 0x65) || (first === 0x72 && second === 0x65)) return end + 3;
  return end;
}
