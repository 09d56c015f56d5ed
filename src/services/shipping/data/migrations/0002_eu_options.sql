-- Shipping inside the EU priced in EUR, so EUR carts to EU addresses need no exchange rate.
INSERT INTO shipping_options
  (id, name, carrier, kind, base_amount, per_kg_amount, currency, free_over_amount, countries, max_weight_grams, min_days, max_days)
VALUES
  ('simcarrier-eu-standard', 'EU Standard', 'simcarrier', 'flat', 495, 0, 'EUR', 5000,
   ARRAY['AT', 'BE', 'DE', 'DK', 'ES', 'FI', 'FR', 'IE', 'IT', 'LU', 'NL', 'PL', 'PT', 'SE'], 30000, 2, 5),
  ('simcarrier-eu-express', 'EU Express', 'simcarrier', 'weight', 995, 150, 'EUR', NULL,
   ARRAY['AT', 'BE', 'DE', 'DK', 'ES', 'FI', 'FR', 'IE', 'IT', 'LU', 'NL', 'PL', 'PT', 'SE'], 30000, 1, 2);
