-- Guest cart merged into the customer's at login (issue 6, Ownership; G9). A merged guest cart
-- keeps its row as the record of the move: status `merged`, bound to the customer (its token hash
-- cleared, so the guest token opens nothing any more) and pointing at the cart it went into, so a
-- repeated merge by the same customer answers with that cart.
ALTER TABLE carts DROP CONSTRAINT carts_status_valid;
ALTER TABLE carts ADD CONSTRAINT carts_status_valid
  CHECK (status IN ('active', 'checked_out', 'abandoned', 'merged'));
ALTER TABLE carts ADD COLUMN merged_into uuid REFERENCES carts (id);
ALTER TABLE carts ADD CONSTRAINT carts_merged_into_consistent
  CHECK ((status = 'merged') = (merged_into IS NOT NULL));
ALTER TABLE carts ADD CONSTRAINT carts_merged_bound_to_customer
  CHECK (status <> 'merged' OR (customer_id IS NOT NULL AND token_hash IS NULL));
