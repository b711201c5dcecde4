-- Canonical clean step: one DATE out of two spellings, drop non-positive amounts, add 8% tax.
-- Duplicate orders are kept on purpose (the canonical job does not dedupe).
SELECT
  order_id,
  coalesce(
    try_strptime(order_date, '%Y-%m-%d'),
    try_strptime(order_date, '%m/%d/%Y')
  )::DATE AS order_date,
  customer,
  product_id,
  quantity,
  amount,
  round(amount * 0.08, 2)::DECIMAL(12,2) AS tax
FROM sales
WHERE amount > 0
