CREATE INDEX "IdxCustomerName" ON "Sales"."Customer" ("LastName", "FirstName");
