-- Reviews (issue 13; docs/reviews.md). Runs with search_path set to the review schema.

-- What a customer received: learned from orders.order.status_changed (delivered), one row per
-- (customer, product). The purchase check of POST /products/{id}/reviews reads it (RV-P1-02).
CREATE TABLE purchases (
  customer_id uuid NOT NULL,
  product_id uuid NOT NULL,
  order_id uuid NOT NULL,
  delivered_at timestamptz NOT NULL,
  PRIMARY KEY (customer_id, product_id)
);

-- Customers erased (customer.deleted): late order events never record purchases for them again.
CREATE TABLE erased_customers (
  customer_id uuid PRIMARY KEY,
  erased_at timestamptz NOT NULL
);

CREATE TABLE reviews (
  id uuid PRIMARY KEY,
  product_id uuid NOT NULL,
  -- The author; NULL once erased (customer.deleted) or for an imported review.
  customer_id uuid,
  -- Shown name; NULL is shown as "a customer".
  author_name text CHECK (author_name IS NULL OR char_length(author_name) BETWEEN 1 AND 100),
  verified_purchase boolean NOT NULL,
  rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
  title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 120),
  body text NOT NULL CHECK (char_length(body) BETWEEN 10 AND 5000),
  status text NOT NULL CHECK (status IN ('pending', 'published', 'rejected', 'withdrawn')),
  -- Why screening held it (jsonb array of reason codes); empty when it passed.
  screening jsonb NOT NULL DEFAULT '[]',
  moderated_by text,
  moderation_reason text CHECK (moderation_reason IS NULL OR char_length(moderation_reason) BETWEEN 1 AND 500),
  moderated_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
-- Once per customer and product (RV-P1-02): two parallel posts insert one row, the other conflicts.
CREATE UNIQUE INDEX reviews_customer_product_idx ON reviews (customer_id, product_id)
  WHERE customer_id IS NOT NULL;
-- The public list (newest first) and the summary of a product.
CREATE INDEX reviews_product_published_idx ON reviews (product_id, id) WHERE status = 'published';
-- The moderation queue by status, oldest first.
CREATE INDEX reviews_status_idx ON reviews (status, id);
