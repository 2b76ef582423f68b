-- A year item now carries the figures of its months (as a month item carries its days), so totals and monthly
-- series over a range that starts or ends inside a year read one item instead of its months. Every year bucket
-- is projected again in that shape; until it is, readers fetch the months of a year item without them.
UPDATE sales_buckets SET version = version + 1 WHERE grain = 'year';
INSERT INTO sales_outbox (scope, scope_id, grain, sale_day, currency)
SELECT scope, scope_id, grain, sale_day, currency FROM sales_buckets WHERE grain = 'year';
