DO $$
DECLARE
  next_id bigint := 0;
  last_id bigint;
BEGIN
  SELECT coalesce(max(id), 0) INTO last_id FROM customers;
  WHILE next_id <= last_id LOOP
    UPDATE customers SET country_code = upper(country_code)
     WHERE id >= next_id AND id < next_id + 2000;
    next_id := next_id + 2000;
    COMMIT;
  END LOOP;
END $$;
