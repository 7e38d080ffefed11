SET lock_timeout TO '1s';
SET statement_timeout = '5s';
ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_old_check;
