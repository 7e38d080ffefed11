ALTER TABLE users ADD COLUMN api_key text UNIQUE;
