-- Guest cart → customer cart (docs/promotions.md "Carts at login"): the codes the merge dropped
-- because they no longer apply for the customer, [{code, reason}], shown on the cart until its codes
-- change again.
ALTER TABLE carts ADD COLUMN dropped_promotion_codes jsonb NOT NULL DEFAULT '[]'
  CHECK (jsonb_typeof(dropped_promotion_codes) = 'array');
