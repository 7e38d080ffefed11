ALTER TABLE artifact_tag DROP CONSTRAINT IF EXISTS artifact_tag_unique;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'artifact_tag_name_unique') THEN
        ALTER TABLE artifact_tag
            ADD CONSTRAINT artifact_tag_name_unique UNIQUE (repository_id, name);
    END IF;
END $$;
