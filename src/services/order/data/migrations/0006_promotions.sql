-- Promotions on carts and orders (docs/promotions.md): the codes a cart holds, the discount of each
-- order line, and the promotions an order was placed with (their ids, codes and amounts as quoted).
ALTER TABLE carts ADD COLUMN promotion_codes text[] NOT NULL DEFAULT '{}';
ALTER TABLE order_items ADD COLUMN discount bigint NOT NULL DEFAULT 0;
-- PM-P0-02: a line's discount never exceeds the line.
ALTER TABLE order_items ADD CONSTRAINT order_items_discount_range CHECK (discount >= 0 AND discount <= line_total);
-- [{promotionId, code, name, type, amount, shippingAmount}], amounts in minor units as strings.
ALTER TABLE orders ADD COLUMN promotions jsonb NOT NULL DEFAULT '[]';
ALTER TABLE orders ADD CONSTRAINT orders_discount_range CHECK (discount >= 0 AND discount <= subtotal + shipping);
