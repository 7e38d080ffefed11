CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS accounts_owner_currency_key2 ON accounts USING btree (owner, currency);
