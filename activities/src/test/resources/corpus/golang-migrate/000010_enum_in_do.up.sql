DO $$ BEGIN
    CREATE TYPE account_state AS ENUM ('open', 'closed');
EXCEPTION
    WHEN duplicate_object THEN null;
END $$;
