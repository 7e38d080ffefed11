CREATE TABLE users (
  id bigserial PRIMARY KEY,
  email varchar(255) NOT NULL UNIQUE,
  name varchar(100),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_users_created ON users (created_at);
COMMENT ON TABLE users IS 'Application users; don''t drop';
