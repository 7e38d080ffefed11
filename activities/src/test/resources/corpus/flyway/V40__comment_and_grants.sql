COMMENT ON COLUMN users.email IS 'login e-mail; unique';
GRANT SELECT ON users TO reporting;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE SCHEMA IF NOT EXISTS analytics;
