// Writes one orders file a day, data/days/YYYY-MM-DD.csv, for the
// sales_by_day pipeline: 60 days from 2025-01-01, each day's revenue about
// 20,000 with 3% noise, and 15% more from 2025-02-22 on (a price change
// upstream). The same files every time, so a backfill always tells the same story.
//
//   node scripts/generate-sales-by-day.mjs [--days 60]
//   sluice run sales_by_day --backfill 2025-01-01..2025-03-01
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const first = Date.UTC(2025, 0, 1);
// More days (--days 365) make a larger backfill; the first 60 are the same whatever the count.
const daysFlag = process.argv.indexOf('--days');
const days = daysFlag === -1 ? 60 : Number(process.argv[daysFlag + 1]);
if (!Number.isInteger(days) || days < 1) throw new Error(`--days takes a whole number of days; got '${process.argv[daysFlag + 1]}'`);
const jumpFrom = '2025-02-22';
const ordersPerDay = 40;
const folder = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'data', 'days');

// A small seedable generator, so the files are the same on every machine.
let seed = 20250101;
function random() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

mkdirSync(folder, { recursive: true });
for (let day = 0; day < days; day++) {
  const date = new Date(first + day * 86_400_000).toISOString().slice(0, 10);
  const total = 20_000 * (1 + 0.03 * gaussian()) * (date >= jumpFrom ? 1.15 : 1);
  // The day's total split over its orders in random shares.
  const weights = Array.from({ length: ordersPerDay }, () => 0.5 + random());
  const sum = weights.reduce((a, b) => a + b, 0);
  const lines = ['order_id,order_date,product_id,quantity,amount'];
  weights.forEach((weight, i) => {
    const amount = ((total * weight) / sum).toFixed(2);
    lines.push(`${(day + 1) * 1000 + i},${date},${1 + Math.floor(random() * 50)},${1 + Math.floor(random() * 5)},${amount}`);
  });
  writeFileSync(path.join(folder, `${date}.csv`), `${lines.join('\n')}\n`);
}
console.log(`wrote ${days} daily files to ${path.relative(process.cwd(), folder) || '.'} (${new Date(first).toISOString().slice(0, 10)} on; revenue 15% higher from ${jumpFrom})`);
