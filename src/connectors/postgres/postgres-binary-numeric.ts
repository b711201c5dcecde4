/*
 * PostgreSQL's binary `numeric`: int16 ndigits, int16 weight, uint16 sign,
 * int16 dscale, then ndigits base-10000 digits, most significant first; the
 * value is sum(digit[i] * 10000^(weight - i)). Digits are grouped from the
 * decimal point, so a fraction is padded on the right to whole groups.
 */

const positive = 0x0000;
const negative = 0x4000;
/** Beyond this an integer is no longer exact as a JS number. */
const exactLimit = 2 ** 53;
const groups = new Int32Array(64);

/** Bytes a field may take at most (length prefix included), for a decimal of `precision` digits. */
export function numericMaxBytes(precision: number): number {
  return 12 + 2 * (Math.ceil(precision / 4) + 2);
}

/**
 * Writes `unscaled / 10^scale` at `pos` and returns the position after it.
 * `unscaled` is an integer: a number when it is exact, else a bigint.
 */
export function writeNumeric(view: DataView, pos: number, unscaled: number | bigint, scale: number): number {
  if (typeof unscaled === 'number' && scale <= 12 && unscaled < exactLimit && unscaled > -exactLimit) return writeFromNumber(view, pos, unscaled, scale);
  const text = unscaled.toString();
  return text.startsWith('-') ? writeFromDigits(view, pos, text.slice(1), scale, true) : writeFromDigits(view, pos, text, scale, false);
}

/** The fast path: integer and fraction split with exact float arithmetic (all values stay below 2^53). */
function writeFromNumber(view: DataView, pos: number, unscaled: number, scale: number): number {
  const neg = unscaled < 0;
  const abs = neg ? -unscaled : unscaled;
  const pow = 10 ** scale;
  let whole = Math.floor(abs / pow);
  let fraction = abs - whole * pow;
  // The division may round up to the next integer just below it; the product and difference are exact.
  if (fraction < 0) {
    whole -= 1;
    fraction += pow;
  }
  let count = 0;
  while (whole > 0) {
    const next = Math.floor(whole / 10000);
    groups[count++] = whole - next * 10000;
    whole = next;
  }
  // Most significant first.
  for (let i = 0, j = count - 1; i < j; i++, j--) {
    const t = groups[i]!;
    groups[i] = groups[j]!;
    groups[j] = t;
  }
  const pad = (4 - (scale % 4)) % 4;
  const fractionGroups = (scale + pad) / 4;
  let scaled = fraction * 10 ** pad;
  for (let k = fractionGroups - 1; k >= 0; k--) {
    const next = Math.floor(scaled / 10000);
    groups[count + k] = scaled - next * 10000;
    scaled = next;
  }
  const wholeGroups = count;
  count += fractionGroups;
  return writeGroups(view, pos, count, wholeGroups - 1, neg, scale);
}

/** The general path, from decimal digits: for bigints and large scales. */
function writeFromDigits(view: DataView, pos: number, digits: string, scale: number, neg: boolean): number {
  const wholeLength = digits.length - scale;
  const whole = wholeLength > 0 ? digits.slice(0, wholeLength) : '';
  const fraction = wholeLength > 0 ? digits.slice(wholeLength) : '0'.repeat(-wholeLength) + digits;
  const wholePadded = '0'.repeat((4 - (whole.length % 4)) % 4) + whole;
  const fractionPadded = fraction + '0'.repeat((4 - (fraction.length % 4)) % 4);
  const all = wholePadded + fractionPadded;
  const count = all.length / 4;
  for (let i = 0; i < count; i++) groups[i] = Number(all.slice(4 * i, 4 * i + 4));
  return writeGroups(view, pos, count, wholePadded.length / 4 - 1, neg, scale);
}

/** Writes groups[0..count) without leading and trailing zero groups. */
function writeGroups(view: DataView, pos: number, count: number, weight: number, neg: boolean, scale: number): number {
  let start = 0;
  while (start < count && groups[start] === 0) {
    start++;
    weight--;
  }
  let end = count;
  while (end > start && groups[end - 1] === 0) end--;
  const ndigits = end - start;
  view.setInt32(pos, 8 + 2 * ndigits);
  view.setInt16(pos + 4, ndigits);
  view.setInt16(pos + 6, ndigits === 0 ? 0 : weight);
  view.setUint16(pos + 8, neg && ndigits > 0 ? negative : positive);
  view.setInt16(pos + 10, scale);
  let at = pos + 12;
  for (let i = start; i < end; i++, at += 2) view.setInt16(at, groups[i]!);
  return at;
}
