ALTER TABLE "line_items" ADD CONSTRAINT "fk_rails_2" FOREIGN KEY ("product_id") REFERENCES "products" ("id") NOT VALID;
ALTER TABLE "line_items" VALIDATE CONSTRAINT "fk_rails_2";
