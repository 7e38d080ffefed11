CREATE UNIQUE INDEX CONCURRENTLY "index_products_on_sku2" ON "products" ("sku");
