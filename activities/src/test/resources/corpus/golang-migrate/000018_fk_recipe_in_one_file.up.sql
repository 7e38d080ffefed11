ALTER TABLE transfers ADD CONSTRAINT transfers_from_account_fk
  FOREIGN KEY (from_account_id) REFERENCES accounts (id) NOT VALID;
ALTER TABLE transfers VALIDATE CONSTRAINT transfers_from_account_fk;
