-- Bucket figures kept in the write transaction, so projecting a change copies a few rows instead of summing
-- the sales of a day; and month and year rollups beside the days, so a long range reads tens of buckets.
-- `sale_day` of a bucket is the first day of its period (the day itself, the 1st of the month, 1 January).

ALTER TABLE sales_buckets
  ADD COLUMN grain text NOT NULL DEFAULT 'day' CHECK (grain IN ('day', 'month', 'year')),
  ADD COLUMN units bigint NOT NULL DEFAULT 0,
  ADD COLUMN revenue numeric NOT NULL DEFAULT 0,
  ADD COLUMN orders bigint NOT NULL DEFAULT 0;

ALTER TABLE sales_buckets DROP CONSTRAINT sales_buckets_pkey;
ALTER TABLE sales_buckets ADD PRIMARY KEY (scope, scope_id, grain, sale_day, currency);

-- The breakdown of brand buckets (by model) and the all-sales bucket (by brand): one row per part, so a change
-- touches one row and a bucket's breakdown is bounded by the models of a brand (or the brands), not by sales.
CREATE TABLE sales_bucket_parts (
  scope text NOT NULL,
  scope_id text NOT NULL,
  grain text NOT NULL,
  sale_day date NOT NULL,
  currency char(3) NOT NULL,
  part_id text NOT NULL,
  units bigint NOT NULL,
  revenue numeric NOT NULL,
  orders bigint NOT NULL,
  PRIMARY KEY (scope, scope_id, grain, sale_day, currency, part_id)
);

ALTER TABLE sales_outbox ADD COLUMN grain text NOT NULL DEFAULT 'day';

-- Existing sales: every bucket's figures (day buckets keep their version, as DynamoDB already holds those
-- figures), the new rollups at version 1, and the parts.
WITH s AS (
  SELECT s.model_id, m.brand_id, s.sale_day, s.currency, s.quantity, s.quantity * s.unit_price AS revenue
  FROM sales s JOIN models m ON m.id = s.model_id
), keyed AS (
  SELECT 'model' AS scope, model_id::text AS scope_id, NULL::text AS part_id, sale_day, currency, quantity, revenue FROM s
  UNION ALL SELECT 'brand', brand_id::text, model_id::text, sale_day, currency, quantity, revenue FROM s
  UNION ALL SELECT 'all', 'all', brand_id::text, sale_day, currency, quantity, revenue FROM s
), grains (grain) AS (VALUES ('day'), ('month'), ('year')),
totals AS (
  SELECT scope, scope_id, grain, date_trunc(grain, sale_day::timestamp)::date AS sale_day, currency,
         sum(quantity) AS units, sum(revenue) AS revenue, count(*) AS orders
  FROM keyed CROSS JOIN grains
  GROUP BY scope, scope_id, grain, 4, currency
)
INSERT INTO sales_buckets (scope, scope_id, grain, sale_day, currency, version, units, revenue, orders)
SELECT scope, scope_id, grain, sale_day, currency, 1, units, revenue, orders FROM totals
ON CONFLICT (scope, scope_id, grain, sale_day, currency)
  DO UPDATE SET units = EXCLUDED.units, revenue = EXCLUDED.revenue, orders = EXCLUDED.orders;

WITH s AS (
  SELECT s.model_id, m.brand_id, s.sale_day, s.currency, s.quantity, s.quantity * s.unit_price AS revenue
  FROM sales s JOIN models m ON m.id = s.model_id
), keyed AS (
  SELECT 'brand' AS scope, brand_id::text AS scope_id, model_id::text AS part_id, sale_day, currency, quantity, revenue FROM s
  UNION ALL SELECT 'all', 'all', brand_id::text, sale_day, currency, quantity, revenue FROM s
), grains (grain) AS (VALUES ('day'), ('month'), ('year'))
INSERT INTO sales_bucket_parts (scope, scope_id, grain, sale_day, currency, part_id, units, revenue, orders)
SELECT scope, scope_id, grain, date_trunc(grain, sale_day::timestamp)::date, currency, part_id,
       sum(quantity), sum(revenue), count(*)
FROM keyed CROSS JOIN grains
GROUP BY scope, scope_id, grain, 4, currency, part_id;

-- The new rollups still have to reach DynamoDB.
INSERT INTO sales_outbox (scope, scope_id, grain, sale_day, currency)
SELECT scope, scope_id, grain, sale_day, currency FROM sales_buckets WHERE grain <> 'day';
