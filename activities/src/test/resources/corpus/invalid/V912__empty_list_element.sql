CREATE TABLE IF NOT EXISTS audit_entry (id bigint PRIMARY KEY, actor text,, at timestamptz);
