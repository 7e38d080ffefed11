ALTER INDEX "index_products_on_name" RENAME TO "index_products_on_title";
