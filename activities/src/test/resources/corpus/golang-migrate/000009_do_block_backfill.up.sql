DO $$
DECLARE
  batch_size CONSTANT INTEGER := 10000;
BEGIN
  UPDATE accounts SET balance = 0 WHERE balance IS NULL;
END $$;
