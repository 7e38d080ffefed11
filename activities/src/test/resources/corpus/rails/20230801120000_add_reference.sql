ALTER TABLE "line_items" ADD "product_id" bigint;
CREATE INDEX CONCURRENTLY "index_line_items_on_product_id" ON "line_items" ("product_id");
ALTER TABLE "line_items" ADD CONSTRAINT "fk_rails_1" FOREIGN KEY ("product_id") REFERENCES "products" ("id");
