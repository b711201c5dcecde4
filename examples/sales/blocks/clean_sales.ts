// Cleans raw orders: one date format out of two, no non-positive amounts,
// a tax column, and each order once.
import { defineTransformer, type TableHandle } from 'sluice';

type RawSale = {
  order_id: bigint;
  order_date: string | null;
  customer: string | null;
  product_id: number;
  quantity: number;
  amount: number;
};

/** `2025-03-14` or `03/14/2025` to `2025-03-14`; null when it is neither. */
export function parseOrderDate(text: string | null): string | null {
  if (!text) return null;
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (iso) return text;
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  if (!us) return null;
  const [, month, day, year] = us;
  return `${year}-${month!.padStart(2, '0')}-${day!.padStart(2, '0')}`;
}

export default defineTransformer<{ raw_sales: TableHandle<RawSale> }>({
  async *run({ raw_sales }, ctx) {
    const taxRate = Number(ctx.vars.tax_rate ?? 0.08);
    const seen = new Set<bigint>();
    let dropped = 0;
    let duplicates = 0;
    for await (const batch of raw_sales.batches()) {
      const clean = [];
      for (const row of batch) {
        if (!(row.amount > 0)) {
          dropped++;
          continue;
        }
        if (seen.has(row.order_id)) {
          duplicates++;
          continue;
        }
        seen.add(row.order_id);
        clean.push({
          order_id: row.order_id,
          order_date: parseOrderDate(row.order_date),
          customer: row.customer,
          product_id: row.product_id,
          quantity: row.quantity,
          amount: row.amount,
          tax: Math.round(row.amount * taxRate * 100) / 100,
        });
      }
      yield clean;
    }
    ctx.log.info(`dropped ${dropped} non-positive amounts and ${duplicates} duplicate orders`);
  },
  // Money stays exact downstream; dates become real dates.
  schema: { order_id: 'BIGINT', order_date: 'DATE', amount: 'DECIMAL(12,2)', tax: 'DECIMAL(12,2)' },
});
