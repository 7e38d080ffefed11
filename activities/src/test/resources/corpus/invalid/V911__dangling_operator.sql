ALTER TABLE orders ADD COLUMN total_with_tax numeric DEFAULT (0 +);
