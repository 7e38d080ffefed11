ALTER TABLE "products" DROP COLUMN "sku";
