-- Brands and models: the catalog. Names are unique case-insensitively (within a brand for models).

CREATE TABLE brands (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  country char(2),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Also the keyset order of GET /brands.
CREATE UNIQUE INDEX brands_name_key ON brands (lower(name));

CREATE TABLE models (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id uuid NOT NULL REFERENCES brands (id) ON DELETE RESTRICT,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  body_type text,
  launch_year integer CHECK (launch_year BETWEEN 1886 AND 2100),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX models_brand_name_key ON models (brand_id, lower(name));
-- Keyset orders of GET /models and GET /models?brandId=.
CREATE INDEX models_name_order ON models (lower(name), id);
CREATE INDEX models_brand_name_order ON models (brand_id, lower(name), id);
