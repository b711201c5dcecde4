/**
 * Deterministic generator for a deliberately messy sales CSV.
 *
 *   npx tsx bench/generate-sales.ts --rows N --out FILE [--seed S] [--products FILE]
 *
 * Columns: order_id,order_date,customer,product_id,quantity,amount
 *
 * The mess, on purpose:
 *  - about 1% of rows are exact duplicates of an earlier row (same order_id and every field);
 *  - order_date mixes two formats in one column: about half `YYYY-MM-DD`, half `MM/DD/YYYY`;
 *  - customer names include commas (quoted), an embedded double quote (escaped as `""`) and unicode;
 *  - about 5% of amounts are non-positive (`0.00` or negative refunds).
 *
 * The same seed and row count always produce byte-identical output.
 * Rows are built into large string chunks and written with backpressure, so memory stays flat
 * regardless of the row count.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname, resolve } from 'node:path';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const SALES_HEADER = 'order_id,order_date,customer,product_id,quantity,amount';
export const PRODUCTS_HEADER = 'product_id,name,category';
export const PRODUCT_COUNT = 50;

export interface GenerateSalesOptions {
  /** Total data rows written (duplicates included), header not counted. */
  rows: number;
  /** Output file path. */
  out: string;
  /** PRNG seed; defaults to 42. */
  seed?: number;
}

export interface GenerateSalesResult {
  rows: number;
  duplicates: number;
  nonPositive: number;
  bytes: number;
}

/** mulberry32: small, fast, well-distributed 32-bit PRNG. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Raw customer names; CSV quoting is applied once, below. */
const CUSTOMERS: readonly string[] = [
  'Alice Johnson',
  'Bob Smith',
  'Carol White',
  'David Brown',
  'Eve Davis',
  'Frank Miller',
  'Grace Wilson',
  'Henry Moore',
  'Isabel Taylor',
  'Jack Anderson',
  'Karen Thomas',
  'Liam Jackson',
  'Mia Harris',
  'Noah Martin',
  'Olivia Thompson',
  'Paul Garcia',
  'Quinn Martinez',
  'Rosa Robinson',
  'Sam Clark',
  'Tina Lewis',
  'Smith, John',
  'Doe, Jane',
  'Acme Corp, Ltd.',
  'Globex, Inc.',
  'Initech, LLC',
  'The "Best" Shop',
  'Zoë Ørsted',
  'José Álvarez',
  'François Müller',
  'Björk Guðmundsdóttir',
  'Søren Kierkegård',
  'Łukasz Wiśniewski',
  'Çağla Yılmaz',
  '王芳',
  '佐藤 花子',
  'Ана Петрова',
  'Renée Dubois, CPA',
  "O'Brien Hardware",
  'Nuñez & Hijos',
  'Kowalski Trading',
];

function csvField(value: string): string {
  if (/[",\r\n]/.test(value)) return `"${value.replace(/"/g, '""')}"`;
  return value;
}

const CATEGORIES = ['Hardware', 'Software', 'Office', 'Outdoor', 'Kitchen'] as const;
const PRODUCT_ADJECTIVES = ['Basic', 'Deluxe', 'Compact', 'Heavy-Duty', 'Eco', 'Pro', 'Mini', 'Smart', 'Classic', 'Ultra'];
const PRODUCT_NOUNS = ['Widget', 'Gadget', 'Sprocket', 'Bracket', 'Lamp'];

export interface Product {
  product_id: number;
  name: string;
  category: string;
  /** Unit price in cents; used to derive plausible order amounts. */
  priceCents: number;
}

/** The fixed product catalogue (independent of the seed). */
export function productCatalogue(): Product[] {
  const products: Product[] = [];
  for (let i = 0; i < PRODUCT_COUNT; i++) {
    const adjective = PRODUCT_ADJECTIVES[i % PRODUCT_ADJECTIVES.length]!;
    const noun = PRODUCT_NOUNS[Math.floor(i / PRODUCT_ADJECTIVES.length) % PRODUCT_NOUNS.length]!;
    // A few names with commas and unicode, so the lookup file is as messy as the facts.
    let name = `${adjective} ${noun}`;
    if (i % 17 === 3) name = `${noun}, ${adjective.toLowerCase()} edition`;
    if (i === 7) name = 'Café Crème Grinder';
    products.push({
      product_id: i + 1,
      name,
      category: CATEGORIES[i % CATEGORIES.length]!,
      // Deterministic spread of unit prices between 1.99 and ~499.
      priceCents: 199 + ((i * 7919) % 49700),
    });
  }
  return products;
}

/** Write the 50-row products CSV (product_id,name,category). */
export async function generateProducts(out: string): Promise<void> {
  await mkdir(dirname(resolve(out)), { recursive: true });
  let text = PRODUCTS_HEADER + '\n';
  for (const p of productCatalogue()) {
    text += `${p.product_id},${csvField(p.name)},${csvField(p.category)}\n`;
  }
  const stream = createWriteStream(out);
  stream.end(text);
  await once(stream, 'finish');
}

const pad2 = (n: number): string => (n < 10 ? '0' + n : String(n));

/** Both spellings of every day of 2025: [ISO 'YYYY-MM-DD', US 'MM/DD/YYYY']. */
function datesOf2025(): { iso: string[]; us: string[] } {
  const iso: string[] = [];
  const us: string[] = [];
  const start = Date.UTC(2025, 0, 1);
  for (let day = 0; day < 365; day++) {
    const d = new Date(start + day * 86_400_000);
    const m = pad2(d.getUTCMonth() + 1);
    const dd = pad2(d.getUTCDate());
    iso.push(`2025-${m}-${dd}`);
    us.push(`${m}/${dd}/2025`);
  }
  return { iso, us };
}

const CHUNK_BYTES = 4 * 1024 * 1024;
/** Longest possible row is well below this; a chunk is flushed once less than this is left. */
const ROW_HEADROOM = 512;
const RECENT_ROWS = 4096;

const COMMA = 0x2c;
const NEWLINE = 0x0a;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;

/**
 * Rows are written as bytes straight into large buffers: every text piece (dates, names) is encoded
 * once up front and numbers are written digit by digit, so there is no per-row string building.
 */
class ChunkWriter {
  private buf: Buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private pos = 0;
  private readonly spare: Buffer[] = [];
  bytes = 0;

  constructor(private readonly stream: WriteStream) {}

  get nearlyFull(): boolean {
    return this.pos > CHUNK_BYTES - ROW_HEADROOM;
  }

  put(bytes: Buffer): void {
    bytes.copy(this.buf, this.pos);
    this.pos += bytes.length;
  }

  byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  /** Non-negative integer as ASCII digits. */
  uint(n: number): void {
    const buf = this.buf;
    if (n < 10) {
      buf[this.pos++] = ZERO + n;
      return;
    }
    let digits = 0;
    for (let t = n; t > 0; t = Math.floor(t / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    while (n > 0) {
      const q = Math.floor(n / 10);
      buf[--p] = ZERO + (n - q * 10);
      n = q;
    }
  }

  /** Integer cents as a decimal with exactly two places (may be negative). */
  cents(c: number): void {
    if (c < 0) {
      this.byte(MINUS);
      c = -c;
    }
    const whole = Math.floor(c / 100);
    const frac = c - whole * 100;
    this.uint(whole);
    this.byte(DOT);
    this.byte(ZERO + Math.floor(frac / 10));
    this.byte(ZERO + (frac % 10));
  }

  async flush(): Promise<void> {
    if (this.pos === 0) return;
    const full = this.buf;
    const out = full.subarray(0, this.pos);
    this.bytes += this.pos;
    // The stream holds `out` until it is written; continue in a spare buffer and take this one
    // back once the write completes, so only a handful of chunk buffers ever exist.
    this.buf = this.spare.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES);
    this.pos = 0;
    const ok = this.stream.write(out, (err) => {
      if (!err) this.spare.push(full);
    });
    if (!ok) await once(this.stream, 'drain');
  }
}

/** Generate the sales CSV. Resolves once the file is fully flushed. */
export async function generateSales(options: GenerateSalesOptions): Promise<GenerateSalesResult> {
  const rows = Math.floor(options.rows);
  if (!Number.isFinite(rows) || rows < 0) throw new Error(`rows must be a non-negative integer, got ${options.rows}`);
  const seed = options.seed ?? 42;
  const rand = mulberry32(seed);

  const dates = datesOf2025();
  // Index 2*day is the ISO spelling, 2*day+1 the US spelling.
  const dateBytes: Buffer[] = [];
  for (let day = 0; day < 365; day++) dateBytes.push(Buffer.from(dates.iso[day]!), Buffer.from(dates.us[day]!));
  const customerBytes = CUSTOMERS.map((c) => Buffer.from(csvField(c)));
  const productPrice = productCatalogue().map((p) => p.priceCents);

  await mkdir(dirname(resolve(options.out)), { recursive: true });
  const stream = createWriteStream(options.out, { highWaterMark: 2 * CHUNK_BYTES });
  const failed = new Promise<never>((_, reject) => stream.once('error', reject));
  failed.catch(() => undefined);
  const w = new ChunkWriter(stream);

  // Ring of recent original rows (their fields), the pool duplicates are drawn from.
  const ringOrder = new Float64Array(RECENT_ROWS);
  const ringDate = new Uint16Array(RECENT_ROWS);
  const ringCustomer = new Uint8Array(RECENT_ROWS);
  const ringProduct = new Uint8Array(RECENT_ROWS);
  const ringQuantity = new Uint8Array(RECENT_ROWS);
  const ringCents = new Float64Array(RECENT_ROWS);
  let recentCount = 0;

  let orderId = 100_000;
  let duplicates = 0;
  let nonPositive = 0;

  const work = async (): Promise<void> => {
    w.put(Buffer.from(SALES_HEADER + '\n'));
    for (let i = 0; i < rows; i++) {
      let id: number, date: number, customer: number, p: number, quantity: number, cents: number;
      if (recentCount > 0 && rand() < 0.01) {
        const k = Math.floor(rand() * Math.min(recentCount, RECENT_ROWS));
        id = ringOrder[k]!;
        date = ringDate[k]!;
        customer = ringCustomer[k]!;
        p = ringProduct[k]!;
        quantity = ringQuantity[k]!;
        cents = ringCents[k]!;
        duplicates++;
      } else {
        id = ++orderId;
        date = 2 * Math.floor(rand() * 365) + (rand() < 0.5 ? 0 : 1);
        customer = Math.floor(rand() * customerBytes.length);
        p = Math.floor(rand() * PRODUCT_COUNT);
        quantity = 1 + Math.floor(rand() * 20);
        const r = rand();
        if (r < 0.02) {
          cents = 0; // zero-value order
        } else if (r < 0.05) {
          cents = -quantity * productPrice[p]!; // refund
        } else {
          // Occasional discount of 5-25%, rounded to the cent.
          const discount = r < 0.25 ? 5 * (1 + Math.floor(rand() * 5)) : 0;
          cents = Math.round((quantity * productPrice[p]! * (100 - discount)) / 100);
        }
        if (cents <= 0) nonPositive++;
        const k = recentCount % RECENT_ROWS;
        ringOrder[k] = id;
        ringDate[k] = date;
        ringCustomer[k] = customer;
        ringProduct[k] = p;
        ringQuantity[k] = quantity;
        ringCents[k] = cents;
        recentCount++;
      }
      w.uint(id);
      w.byte(COMMA);
      w.put(dateBytes[date]!);
      w.byte(COMMA);
      w.put(customerBytes[customer]!);
      w.byte(COMMA);
      w.uint(p + 1);
      w.byte(COMMA);
      w.uint(quantity);
      w.byte(COMMA);
      w.cents(cents);
      w.byte(NEWLINE);
      if (w.nearlyFull) await w.flush();
    }
    await w.flush();
    stream.end();
    await once(stream, 'finish');
  };

  await Promise.race([work(), failed]);
  return { rows, duplicates, nonPositive, bytes: w.bytes };
}

function parseCount(text: string, flag: string): number {
  const cleaned = text.replace(/[_,]/g, '');
  const n = Number(cleaned);
  if (!Number.isFinite(n) || n < 0 || !Number.isInteger(n)) throw new Error(`${flag} expects a non-negative integer, got "${text}"`);
  return n;
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      rows: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      products: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const usage = 'usage: generate-sales --rows N --out FILE [--seed S] [--products FILE]';
  if (values.help) {
    console.log(usage);
    return;
  }
  if (values.out === undefined && values.products === undefined) throw new Error(usage);
  if (values.out !== undefined) {
    if (values.rows === undefined) throw new Error(usage);
    const rows = parseCount(values.rows, '--rows');
    const seed = values.seed === undefined ? 42 : parseCount(values.seed, '--seed');
    const started = performance.now();
    const result = await generateSales({ rows, out: values.out, seed });
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `wrote ${result.rows.toLocaleString('en-US')} rows (${result.duplicates.toLocaleString('en-US')} duplicates, ` +
        `${(result.bytes / 1e6).toFixed(1)} MB) to ${values.out} in ${seconds.toFixed(2)} s ` +
        `(${Math.round(result.rows / Math.max(seconds, 1e-9)).toLocaleString('en-US')} rows/s)`,
    );
  }
  if (values.products !== undefined) {
    await generateProducts(values.products);
    console.log(`wrote ${PRODUCT_COUNT} products to ${values.products}`);
  }
}

function isMainModule(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMainModule()) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
