CREATE TABLE sessions_rebuilt (LIKE sessions INCLUDING ALL);
ALTER TABLE sessions_rebuilt ALTER COLUMN token TYPE text;
INSERT INTO sessions_rebuilt SELECT * FROM sessions;
ALTER TABLE sessions RENAME TO sessions_before_rebuild;
ALTER TABLE sessions_rebuilt RENAME TO sessions;
DROP TABLE sessions_before_rebuild;
