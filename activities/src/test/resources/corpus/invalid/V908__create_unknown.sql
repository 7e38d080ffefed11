CREATE TABEL users (id int);
