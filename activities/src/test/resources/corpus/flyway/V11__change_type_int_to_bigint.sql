CREATE TABLE IF NOT EXISTS audit_placeholder (id int);
ALTER TABLE orders ALTER COLUMN quantity TYPE bigint;
