-- Changes of bulk writes awaiting their booking: an import commits its sales with their changes (summed per
-- model, day and currency) here instead of adding them to every bucket in its own transaction, and the projector
-- books each row in a transaction of its own (bumping the buckets, queuing them, deleting the row), so a row is
-- booked exactly once and the 201 of a large import does not wait for tens of thousands of bucket upserts.
CREATE TABLE sales_pending_changes (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- [{"modelId", "day", "currency", "units", "revenue", "orders"}]: SaleChange of bookkeeping.ts.
  changes jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
