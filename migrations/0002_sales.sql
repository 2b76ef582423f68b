-- Sales, and the bookkeeping that keeps the DynamoDB materialization exactly equal to them.

CREATE TABLE sales (
  id uuid PRIMARY KEY,
  model_id uuid NOT NULL REFERENCES models (id) ON DELETE RESTRICT,
  sold_at timestamptz NOT NULL,
  -- The UTC day a sale counts for in every per-period figure.
  sale_day date GENERATED ALWAYS AS ((sold_at AT TIME ZONE 'UTC')::date) STORED,
  quantity integer NOT NULL CHECK (quantity >= 1),
  unit_price numeric(19, 4) NOT NULL CHECK (unit_price >= 0),
  currency char(3) NOT NULL,
  country char(2),
  external_id text,
  submitted_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A partner's own id never makes a second sale.
CREATE UNIQUE INDEX sales_external_id_key ON sales (submitted_by, external_id) WHERE external_id IS NOT NULL;
-- Keyset order of GET /sales (newest first), with and without filters; and the projector's recomputation.
CREATE INDEX sales_sold_at_order ON sales (sold_at DESC, id DESC);
CREATE INDEX sales_model_order ON sales (model_id, sold_at DESC, id DESC);
CREATE INDEX sales_bucket ON sales (model_id, sale_day, currency);

-- One row per materialized bucket: its version goes up in the same transaction as every change to its sales,
-- so a projection carries the version of the state it read and DynamoDB keeps only the newest.
CREATE TABLE sales_buckets (
  scope text NOT NULL CHECK (scope IN ('model', 'brand', 'all')),
  scope_id text NOT NULL,
  sale_day date NOT NULL,
  currency char(3) NOT NULL,
  version bigint NOT NULL,
  PRIMARY KEY (scope, scope_id, sale_day, currency)
);

-- Transactional outbox: buckets changed by a committed transaction and not yet projected to DynamoDB.
CREATE TABLE sales_outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  scope text NOT NULL,
  scope_id text NOT NULL,
  sale_day date NOT NULL,
  currency char(3) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The all-sales buckets recompute by day and currency.
CREATE INDEX sales_day ON sales (sale_day, currency);
