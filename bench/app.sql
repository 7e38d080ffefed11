-- The application: read, update and insert on bench.accounts, one short transaction.
\set id random(1, :rows)
BEGIN;
SELECT amount, note FROM bench.accounts WHERE id = :id;
UPDATE bench.accounts SET amount = amount + 1 WHERE id = :id;
INSERT INTO bench.accounts (amount, note) VALUES (:id % 1000, 'app');
END;
