-- One definition of a clean order, shared by a streaming and a batch pipeline:
-- orders_live runs it over each micro-batch (the table `batch`), backfill_orders
-- over its loader, which is named `batch` too.
SELECT
  order_id,
  lower(trim(customer)) AS customer,
  trim(product) AS product,
  quantity,
  unit_price,
  upper(coalesce(currency, 'EUR')) AS currency,
  round(quantity * unit_price, 2) AS total,
  placed_at
FROM batch
-- A cancelled line arrives with quantity 0: it is not an order.
WHERE quantity > 0
