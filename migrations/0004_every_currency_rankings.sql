-- Rankings of every model from one item per period: the all-sales bucket's breakdown goes by model (its brand
-- comes from `models`) instead of by brand. And all-sales buckets of every currency ('*'), whose units and orders
-- count every sale whatever its currency (revenue 0: amounts of different currencies do not add); their
-- breakdown is made from the parts of every currency when they are projected, so they have no parts of their own.

DELETE FROM sales_bucket_parts WHERE scope = 'all';

WITH s AS (
  SELECT s.model_id, m.brand_id, s.sale_day, s.currency::text AS currency, s.quantity,
         s.quantity * s.unit_price AS revenue
  FROM sales s JOIN models m ON m.id = s.model_id
), keyed AS (
  SELECT 'all' AS scope, 'all' AS scope_id, model_id, sale_day, currency, quantity, revenue FROM s
), grains (grain) AS (VALUES ('day'), ('month'), ('year'))
INSERT INTO sales_bucket_parts (scope, scope_id, grain, sale_day, currency, part_id, units, revenue, orders)
SELECT scope, scope_id, grain, date_trunc(grain, sale_day::timestamp)::date, currency, model_id::text,
       sum(quantity), sum(revenue), count(*)
FROM keyed CROSS JOIN grains
GROUP BY scope, scope_id, grain, 4, currency, model_id;

INSERT INTO sales_buckets (scope, scope_id, grain, sale_day, currency, version, units, revenue, orders)
SELECT scope, scope_id, grain, sale_day, '*', 1, sum(units), 0, sum(orders)
FROM sales_bucket_parts WHERE scope = 'all'
GROUP BY scope, scope_id, grain, sale_day;

-- Every brand and all-sales bucket is projected again in its new shape, and every month with its days (a month
-- item carries its days, so a range that starts or ends inside a month reads one item instead of its days).
UPDATE sales_buckets SET version = version + 1 WHERE (scope <> 'model' OR grain = 'month') AND currency <> '*';
INSERT INTO sales_outbox (scope, scope_id, grain, sale_day, currency)
SELECT scope, scope_id, grain, sale_day, currency FROM sales_buckets WHERE scope <> 'model' OR grain = 'month';

-- The projector drains the outbox scope by scope (all sales first): keyset pages per scope.
CREATE INDEX sales_outbox_scope ON sales_outbox (scope, id);
