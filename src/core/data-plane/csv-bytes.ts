/**
 * A growable byte buffer that CSV fields are written into directly: no
 * string per line or per batch, so nothing has to be joined, flattened or
 * re-encoded before it reaches a file. Writers reserve room first, then write.
 */
export class CsvBytes {
  buf: Buffer;
  pos = 0;

  constructor(size = 1 << 20) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  /** The bytes written so far, valid until the next write or `clear()`. */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  clear(): void {
    this.pos = 0;
  }

  byte(b: number): void {
    if (this.pos >= this.buf.length) this.reserve(1);
    this.buf[this.pos++] = b;
  }

  /** Text known to be ASCII (numbers, dates, true/false). */
  ascii(text: string): void {
    const n = text.length;
    this.reserve(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = text.charCodeAt(i);
    this.pos = p;
  }

  /**
   * A text field in the data plane's CSV dialect: the empty string as `""`,
   * quoted (with quotes doubled) when it holds a comma, a quote or a line break.
   */
  text(text: string): void {
    const n = text.length;
    if (n === 0) {
      this.reserve(2);
      this.buf[this.pos++] = QUOTE;
      this.buf[this.pos++] = QUOTE;
      return;
    }
    // Plain ASCII is copied byte by byte; anything else takes the general path from the field's start.
    this.reserve(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 128 || c === QUOTE || c === COMMA || c === LF || c === CR) return this.otherText(text);
      buf[p++] = c;
    }
    this.pos = p;
  }

  /** A whole number within the safe range, in decimal. */
  integer(value: number): void {
    this.reserve(17);
    if (value < 0) {
      this.buf[this.pos++] = MINUS;
      value = -value;
    }
    this.whole(value);
  }

  /** `scaled / 10^scale` written with exactly `scale` places; `scaled` is a safe whole number. */
  decimal(scaled: number, negative: boolean, scale: number): void {
    this.reserve(19);
    if (negative && scaled !== 0) this.buf[this.pos++] = MINUS;
    if (!scale) return this.whole(scaled);
    const unit = 10 ** scale;
    let whole = Math.floor(scaled / unit);
    // The quotient of two exact doubles may round up to the next whole number; the remainder then tells.
    if (whole * unit > scaled) whole--;
    this.whole(whole);
    this.buf[this.pos++] = DOT;
    this.padded(scaled - whole * unit, scale);
  }

  /**
   * A safe whole number, as at most two runs of 32-bit digits: integer arithmetic
   * on each is several times faster than dividing the whole double by ten per digit.
   */
  private whole(value: number): void {
    if (value < 1e9) return this.padded(value | 0, 0);
    let high = Math.floor(value / 1e9);
    if (high * 1e9 > value) high--;
    this.padded(high | 0, 0);
    this.padded((value - high * 1e9) | 0, 9);
  }

  /** A whole number below 10^9 with at least `width` digits (zero-padded), at least one. */
  private padded(value: number, width: number): void {
    let count = 1;
    for (let t = value; t >= 10; t = (t / 10) | 0) count++;
    if (count < width) count = width;
    const buf = this.buf;
    const end = this.pos + count;
    for (let q = end; q > this.pos; ) {
      const next = (value / 10) | 0;
      buf[--q] = 48 + value - next * 10;
      value = next;
    }
    this.pos = end;
  }

  private otherText(text: string): void {
    const quoted = needsQuotes.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
    this.reserve(quoted.length * 3);
    this.pos += this.buf.write(quoted, this.pos, 'utf8');
  }
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;
const MINUS = 45;
const DOT = 46;
const needsQuotes = /[",\n\r]/;
