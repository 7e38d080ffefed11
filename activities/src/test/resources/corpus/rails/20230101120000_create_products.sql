CREATE TABLE "products" ("id" bigserial primary key, "name" character varying, "price" numeric(8,2), "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL);
CREATE INDEX "index_products_on_name" ON "products" ("name");
