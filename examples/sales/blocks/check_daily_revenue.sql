-- A test block: the rows it returns are failures. Revenue is never negative,
-- and every day has at least one order.
SELECT day, product, revenue, orders
FROM daily_revenue
WHERE revenue < 0 OR orders < 1
