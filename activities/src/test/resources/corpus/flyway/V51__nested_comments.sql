/* outer /* nested; */ still comment; */
ALTER TABLE users ADD COLUMN bio text; -- trailing; comment
