ALTER TABLE accounts ALTER COLUMN currency TYPE char(3) USING currency::char(3);
