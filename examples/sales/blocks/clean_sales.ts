// Cleans raw orders: dates written two ways made one, no non-positive amounts,
// a tax column, and each order once.
import { defineTransformer, parseDates, type TableHandle } from 'sluice';

type RawSale = {
  order_id: bigint;
  order_date: string | null;
  customer: string | null;
  product_id: number;
  quantity: number;
  amount: number;
};

// The shop's export writes `2025-03-14` and `03/14/2025`; anything else is flagged, not guessed.
const orderDateFormats = ['YYYY-MM-DD', 'MM/DD/YYYY'];

export default defineTransformer<{ raw_sales: TableHandle<RawSale> }>({
  async *run({ raw_sales }, ctx) {
    const taxRate = Number(ctx.vars.tax_rate ?? 0.08);
    const seen = new Set<bigint>();
    let dropped = 0;
    let duplicates = 0;
    let undated = 0;
    for await (const batch of raw_sales.batches()) {
      const kept: RawSale[] = [];
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
        kept.push(row);
      }
      const dates = parseDates(kept.map((row) => row.order_date), { formats: orderDateFormats }).values;
      const clean = kept.map((row, i) => {
        const date = dates[i]!;
        if (date.flag) {
          undated++;
          ctx.log.warn(`order ${row.order_id}: ${date.reason}`);
        }
        return {
          order_id: row.order_id,
          order_date: date.value,
          customer: row.customer,
          product_id: row.product_id,
          quantity: row.quantity,
          amount: row.amount,
          tax: Math.round(row.amount * taxRate * 100) / 100,
        };
      });
      yield clean;
    }
    ctx.log.info(`dropped ${dropped} non-positive amounts and ${duplicates} duplicate orders; ${undated} orders kept without a date`);
  },
  // Money stays exact downstream; dates become real dates.
  schema: { order_id: 'BIGINT', order_date: 'DATE', amount: 'DECIMAL(12,2)', tax: 'DECIMAL(12,2)' },
});
