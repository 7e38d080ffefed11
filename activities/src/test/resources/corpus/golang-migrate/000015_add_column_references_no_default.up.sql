SET lock_timeout = '1s';
-- A new all-NULL column: the reference needs no check of existing rows.
ALTER TABLE post ADD COLUMN IF NOT EXISTS editor_id bigint REFERENCES account (id) ON DELETE SET NULL;
