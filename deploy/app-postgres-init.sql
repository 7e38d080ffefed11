-- The application's database that zdm migrates. It runs on its own PostgreSQL, apart from
-- Temporal's store, so a migration's locks and load never touch the server Temporal writes to.
-- Runs once, when the volume is empty; set APP_DB_PASSWORD in .env before the first `up`.
\set app_password `echo "${APP_DB_PASSWORD:-app}"`
CREATE ROLE app LOGIN PASSWORD :'app_password';
CREATE DATABASE app OWNER app;
