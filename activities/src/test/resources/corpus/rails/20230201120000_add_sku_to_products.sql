ALTER TABLE "products" ADD "sku" character varying;
