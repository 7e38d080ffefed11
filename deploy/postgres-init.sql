-- The application's database that zdm migrates, beside Temporal's own databases.
CREATE USER app WITH PASSWORD 'app';
CREATE DATABASE app OWNER app;
