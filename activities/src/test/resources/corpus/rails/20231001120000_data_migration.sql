UPDATE "products" SET "name" = lower("name") WHERE "name" IS NOT NULL;
