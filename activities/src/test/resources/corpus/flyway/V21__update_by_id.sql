UPDATE users SET active = false WHERE id = 42;
DELETE FROM users WHERE id IN (1, 2, 3);
