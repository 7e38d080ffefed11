DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                 WHERE table_name = 'accounts' AND column_name = 'frozen') THEN
    ALTER TABLE accounts ADD COLUMN frozen boolean DEFAULT false;
  END IF;
END
$$;
