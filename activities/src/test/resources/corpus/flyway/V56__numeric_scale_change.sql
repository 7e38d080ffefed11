ALTER TABLE prices ALTER COLUMN amount TYPE numeric(14,4);
