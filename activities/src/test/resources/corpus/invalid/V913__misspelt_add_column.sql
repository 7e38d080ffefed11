ALTER TABLE users ADD COLUMN nickname text;
ALTER TABLE users ADD COLUM avatar_url text;
