BEGIN;
--
-- Alter field title on ticket
--
ALTER TABLE "helpdesk_ticket" ALTER COLUMN "title" TYPE varchar(400);
COMMIT;
