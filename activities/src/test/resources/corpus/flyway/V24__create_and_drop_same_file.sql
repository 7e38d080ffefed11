CREATE TABLE tmp_import (id int, payload jsonb);
CREATE INDEX tmp_import_id ON tmp_import (id);
ALTER TABLE tmp_import ADD COLUMN loaded_at timestamptz NOT NULL;
DROP TABLE tmp_import;
