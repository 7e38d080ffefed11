ALTER TABLE fees ALTER COLUMN rate TYPE numeric(14, 4);
