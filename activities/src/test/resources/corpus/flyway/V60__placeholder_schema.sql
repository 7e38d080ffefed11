-- Flyway replaces ${appSchema} before PostgreSQL sees the file.
SET lock_timeout = '2s';
ALTER TABLE ${appSchema}.device SET (fillfactor = 85);
COMMENT ON TABLE ${appSchema}.device IS 'registered devices';
CREATE INDEX CONCURRENTLY IF NOT EXISTS device_seen_idx ON ${appSchema}.device (last_seen_at);
