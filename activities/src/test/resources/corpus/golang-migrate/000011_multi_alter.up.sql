ALTER TABLE accounts
  ADD COLUMN IF NOT EXISTS note text,
  ADD CONSTRAINT accounts_balance_check CHECK (balance >= 0);
