CREATE UNIQUE INDEX "index_products_on_sku" ON "products" ("sku");
