BEGIN;
--
-- Alter field opened_at on ticket
--
ALTER TABLE "helpdesk_ticket" ALTER COLUMN "opened_at" DROP NOT NULL;
COMMIT;
