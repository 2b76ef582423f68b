-- Dekads (days 1–10, 11–20, 21 to the end of a month) for the scopes with breakdowns, brand and all sales: a
-- ranking or brand breakdown over a range that starts or ends inside a month reads at most 10 days and 2 dekads at
-- each edge instead of up to 30 days. Built from the day buckets and parts, then projected.
ALTER TABLE sales_buckets DROP CONSTRAINT sales_buckets_grain_check;
ALTER TABLE sales_buckets ADD CONSTRAINT sales_buckets_grain_check
  CHECK (grain IN ('day', 'dekad', 'month', 'year'));

INSERT INTO sales_buckets (scope, scope_id, grain, sale_day, currency, version, units, revenue, orders)
SELECT scope, scope_id, 'dekad',
       date_trunc('month', sale_day::timestamp)::date + least((extract(day FROM sale_day)::int - 1) / 10, 2) * 10,
       currency, 1, sum(units), sum(revenue), sum(orders)
FROM sales_buckets WHERE grain = 'day' AND scope <> 'model'
GROUP BY 1, 2, 4, 5;

INSERT INTO sales_bucket_parts (scope, scope_id, grain, sale_day, currency, part_id, units, revenue, orders)
SELECT scope, scope_id, 'dekad',
       date_trunc('month', sale_day::timestamp)::date + least((extract(day FROM sale_day)::int - 1) / 10, 2) * 10,
       currency, part_id, sum(units), sum(revenue), sum(orders)
FROM sales_bucket_parts WHERE grain = 'day' AND scope <> 'model'
GROUP BY 1, 2, 4, 5, 6;

-- A year item now carries the figures of its months (as a month item carries its days), so totals and monthly
-- series over a range that starts or ends inside a year read one item instead of its months. Every year bucket
-- is projected again in that shape; until it is, readers fetch the months of a year item without them.
UPDATE sales_buckets SET version = version + 1 WHERE grain = 'year';

INSERT INTO sales_outbox (scope, scope_id, grain, sale_day, currency)
SELECT scope, scope_id, grain, sale_day, currency FROM sales_buckets WHERE grain IN ('dekad', 'year');
