INSERT INTO language (id, code) VALUES (0, 'und') ON CONFLICT DO NOTHING;

-- Every existing post gets language 0, so PostgreSQL checks the reference row by row.
ALTER TABLE post
    ADD COLUMN language_id integer NOT NULL DEFAULT 0 REFERENCES language (id);
