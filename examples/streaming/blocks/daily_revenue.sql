SELECT
  CAST(placed_at AS DATE) AS day,
  product,
  count(*) AS orders,
  sum(quantity) AS units,
  round(sum(total), 2) AS revenue
FROM orders
GROUP BY ALL
ORDER BY day, product
