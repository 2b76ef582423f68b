-- Pentads (days 1–5, 6–10, …, 26 to the end of a month: halves of dekads) for the scopes with breakdowns, brand
-- and all sales: a ranking or brand breakdown over a range that starts or ends inside a month reads at most 4 days,
-- a pentad and 2 dekads at each edge instead of up to 9 days and 2 dekads. Built from the day buckets and parts,
-- then projected.
ALTER TABLE sales_buckets DROP CONSTRAINT sales_buckets_grain_check;
ALTER TABLE sales_buckets ADD CONSTRAINT sales_buckets_grain_check
  CHECK (grain IN ('day', 'pentad', 'dekad', 'month', 'year'));

INSERT INTO sales_buckets (scope, scope_id, grain, sale_day, currency, version, units, revenue, orders)
SELECT scope, scope_id, 'pentad',
       date_trunc('month', sale_day::timestamp)::date + least((extract(day FROM sale_day)::int - 1) / 5, 5) * 5,
       currency, 1, sum(units), sum(revenue), sum(orders)
FROM sales_buckets WHERE grain = 'day' AND scope <> 'model'
GROUP BY 1, 2, 4, 5;

INSERT INTO sales_bucket_parts (scope, scope_id, grain, sale_day, currency, part_id, units, revenue, orders)
SELECT scope, scope_id, 'pentad',
       date_trunc('month', sale_day::timestamp)::date + least((extract(day FROM sale_day)::int - 1) / 5, 5) * 5,
       currency, part_id, sum(units), sum(revenue), sum(orders)
FROM sales_bucket_parts WHERE grain = 'day' AND scope <> 'model'
GROUP BY 1, 2, 4, 5, 6;

INSERT INTO sales_outbox (scope, scope_id, grain, sale_day, currency)
SELECT scope, scope_id, grain, sale_day, currency FROM sales_buckets WHERE grain = 'pentad';
