ALTER TABLE users MODIFY COLUMN name varchar(200);
