CREATE UNIQUE INDEX accounts_owner_currency_key ON accounts (owner, currency);
