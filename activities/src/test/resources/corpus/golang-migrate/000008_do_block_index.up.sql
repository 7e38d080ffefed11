DO $$
BEGIN
  CREATE INDEX CONCURRENTLY idx_orders_date_partial ON orders (created_at);
  PERFORM pg_sleep(60);
END $$;
