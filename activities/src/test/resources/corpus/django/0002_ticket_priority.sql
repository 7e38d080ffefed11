BEGIN;
--
-- Add field priority to ticket
--
ALTER TABLE "helpdesk_ticket" ADD COLUMN "priority" smallint DEFAULT 3 NOT NULL CHECK ("priority" >= 0);
ALTER TABLE "helpdesk_ticket" ALTER COLUMN "priority" DROP DEFAULT;
COMMIT;
