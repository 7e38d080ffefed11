ALTER TABLE transfers ADD COLUMN memo text;
CREATE INDEX CONCURRENTLY transfers_memo_idx ON transfers (memo);
