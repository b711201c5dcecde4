-- Daily revenue per product. Upstream blocks are tables named after them:
-- clean_sales (from the TypeScript block) and products (from the CSV loader).
WITH by_day AS (
  SELECT
    date_trunc('day', order_date)::DATE AS day,
    product_id,
    count(*) AS orders,
    sum(quantity) AS units,
    sum(amount) AS revenue,
    sum(tax) AS tax
  FROM clean_sales
  GROUP BY ALL
)
SELECT
  d.day,
  p.name AS product,
  p.category,
  d.orders,
  d.units,
  d.revenue,
  d.tax,
  d.revenue + d.tax AS gross
FROM by_day AS d
JOIN products AS p USING (product_id)
ORDER BY d.day, product
