CREATE TEMP TABLE discontinued ON COMMIT DROP AS
  SELECT id FROM products WHERE stock = 0;
INSERT INTO product_events (product_id, kind) SELECT id, 'discontinued' FROM discontinued;
ALTER TABLE products ADD COLUMN badges text[] NOT NULL DEFAULT ARRAY['new','sale'];
