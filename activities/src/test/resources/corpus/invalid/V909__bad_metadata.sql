-- @metadata {zeroDowntime: true
ALTER TABLE users ADD COLUMN x int;
