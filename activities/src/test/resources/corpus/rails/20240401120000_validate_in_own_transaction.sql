ALTER TABLE invoices ADD CONSTRAINT invoices_due_after_issue CHECK (due_on >= issued_on) NOT VALID;
ALTER TABLE invoices VALIDATE CONSTRAINT invoices_due_after_issue;
