BEGIN;
--
-- Add field assignee to ticket
--
ALTER TABLE "helpdesk_ticket" ADD COLUMN "assignee_id" integer NULL;
ALTER TABLE "helpdesk_ticket" ADD CONSTRAINT "helpdesk_ticket_assignee_id_3c9b1d2e_fk_auth_user_id" FOREIGN KEY ("assignee_id") REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX "helpdesk_ticket_assignee_id_3c9b1d2e" ON "helpdesk_ticket" ("assignee_id");
COMMIT;
