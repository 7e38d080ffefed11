CREATE TABLE prices (id int PRIMARY KEY, amount numeric(10,2));
