CREATE UNIQUE INDEX CONCURRENTLY users_public_id_idx ON users (public_id);
ALTER TABLE users ADD CONSTRAINT users_public_id_key UNIQUE USING INDEX users_public_id_idx;
