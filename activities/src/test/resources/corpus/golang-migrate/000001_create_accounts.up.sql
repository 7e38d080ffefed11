CREATE TABLE IF NOT EXISTS accounts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner text NOT NULL,
    balance bigint NOT NULL DEFAULT 0,
    currency varchar(3) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT (now())
);
CREATE INDEX ON accounts (owner);
