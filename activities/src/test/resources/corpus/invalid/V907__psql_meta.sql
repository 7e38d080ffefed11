\connect app
ALTER TABLE users ADD COLUMN x int;
