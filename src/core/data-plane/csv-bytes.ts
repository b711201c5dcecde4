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
    this.digits(value, 0);
  }

  /** `scaled / 10^scale` written with exactly `scale` places; `scaled` is a safe whole number. */
  decimal(scaled: number, negative: boolean, scale: number): void {
    this.reserve(19);
    if (negative && scaled !== 0) this.buf[this.pos++] = MINUS;
    this.digits(scaled, scale);
  }

  private digits(value: number, scale: number): void {
    let count = 1;
    for (let t = value; t >= 10; t = Math.floor(t / 10)) count++;
    if (count <= scale) count = scale + 1;
    const buf = this.buf;
    const end = this.pos + count + (scale ? 1 : 0);
    let q = end;
    let t = value;
    for (let d = 0; d < count; d++) {
      if (d === scale && scale) buf[--q] = DOT;
      const r = t % 10;
      buf[--q] = 48 + r;
      t = (t - r) / 10;
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
