ALTER TABLE orders ADD COLUMN total numeric GENERATED ALWAYS AS (amount * quantity) STORED;
