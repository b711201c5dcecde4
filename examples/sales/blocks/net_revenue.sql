-- Daily revenue with the day's refunds taken off.
WITH refunded AS (
  SELECT refund_date AS day, product, sum(amount) AS refunded
  FROM refunds
  GROUP BY ALL
)
SELECT
  r.day,
  r.product,
  r.category,
  r.orders,
  r.units,
  r.revenue - coalesce(f.refunded, 0) AS revenue,
  r.tax,
  r.gross - coalesce(f.refunded, 0) AS gross
FROM revenue_so_far AS r
LEFT JOIN refunded AS f USING (day, product)
ORDER BY r.day, r.product
