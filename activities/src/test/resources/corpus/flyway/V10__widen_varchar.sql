-- name was created as varchar(100) in V1 (renamed in V9); widening is binary-coercible
ALTER TABLE users ALTER COLUMN email TYPE varchar(320);
