BEGIN;
CREATE TABLE transfers (
    id bigserial PRIMARY KEY,
    from_account_id uuid NOT NULL REFERENCES accounts (id),
    to_account_id uuid NOT NULL REFERENCES accounts (id),
    amount bigint NOT NULL CHECK (amount > 0)
);
CREATE INDEX transfers_from_idx ON transfers (from_account_id);
COMMIT;
