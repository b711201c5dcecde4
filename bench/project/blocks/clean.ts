// Canonical clean step in TypeScript: one DATE out of two spellings, drop non-positive amounts,
// add an 8% tax column. Duplicate orders are kept on purpose (the canonical job does not dedupe).
//
// Every row passes through JS here, so the loop is kept tight: no regex, no per-row closures, and
// date text is normalised through a small cache (a year has at most 366 days per spelling).
import { defineTransformer, type TableHandle } from 'sluice';

type SalesRow = {
  order_id: bigint | number;
  order_date: string | null;
  customer: string | null;
  product_id: number | null;
  quantity: number | null;
  amount: number | null;
};

const DASH = 45;
const MAX_CACHED_DATES = 50_000;
const dateCache = new Map<string, string | null>();

function isDigits(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function validMonthDay(month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/** 'YYYY-MM-DD' or 'M/D/YYYY' / 'MM/DD/YYYY' to 'YYYY-MM-DD'; null when neither. */
function parseDate(s: string): string | null {
  if (s.length === 10 && s.charCodeAt(4) === DASH && s.charCodeAt(7) === DASH) {
    if (!isDigits(s, 0, 4) || !isDigits(s, 5, 7) || !isDigits(s, 8, 10)) return null;
    return validMonthDay(+s.slice(5, 7), +s.slice(8, 10)) ? s : null;
  }
  const a = s.indexOf('/');
  if (a < 1 || a > 2) return null;
  const b = s.indexOf('/', a + 1);
  if (b < a + 2 || b > a + 3 || s.length !== b + 5) return null;
  if (!isDigits(s, 0, a) || !isDigits(s, a + 1, b) || !isDigits(s, b + 1, s.length)) return null;
  const month = +s.slice(0, a);
  const day = +s.slice(a + 1, b);
  if (!validMonthDay(month, day)) return null;
  return `${s.slice(b + 1)}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;
}

function toIsoDate(s: string | null): string | null {
  if (s === null) return null;
  let iso = dateCache.get(s);
  if (iso === undefined) {
    iso = parseDate(s);
    if (dateCache.size < MAX_CACHED_DATES) dateCache.set(s, iso);
  }
  return iso;
}

export default defineTransformer<{ sales: TableHandle<SalesRow> }>({
  async *run({ sales }) {
    for await (const batch of sales.batches()) {
      const rows = batch;
      const out = [];
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        const amount = r.amount;
        if (amount === null || !(amount > 0)) continue;
        out.push({
          order_id: r.order_id,
          order_date: toIsoDate(r.order_date),
          customer: r.customer,
          product_id: r.product_id,
          quantity: r.quantity,
          amount,
          // amount has two decimals, so amount * 8 is never within 0.02 of a .5 tie: float-safe.
          tax: Math.round(amount * 8) / 100,
        });
      }
      yield out;
    }
  },
  schema: {
    order_id: 'BIGINT',
    order_date: 'DATE',
    customer: 'VARCHAR',
    product_id: 'INTEGER',
    quantity: 'INTEGER',
    amount: 'DECIMAL(12,2)',
    tax: 'DECIMAL(12,2)',
  },
});
