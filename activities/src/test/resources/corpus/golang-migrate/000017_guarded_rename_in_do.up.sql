DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM information_schema.columns
             WHERE table_schema = 'identity' AND table_name = 'members' AND column_name = 'verified')
  THEN
    ALTER TABLE "identity"."members" RENAME COLUMN "verified" TO "email_verified_at";
  END IF;
END $$;
