ALTER TABLE "products" ALTER COLUMN "name" TYPE character varying;
