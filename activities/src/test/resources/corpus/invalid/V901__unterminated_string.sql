INSERT INTO settings (key) VALUES ('oops);
