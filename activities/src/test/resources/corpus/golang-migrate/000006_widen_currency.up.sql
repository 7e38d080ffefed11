ALTER TABLE transfers ADD COLUMN memo varchar(100);
ALTER TABLE transfers ALTER COLUMN memo TYPE varchar(500);
