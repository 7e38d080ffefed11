-- AlterTable (the Comment model predates this migration history's baseline)
ALTER TABLE "Comment" ALTER COLUMN "body" SET DATA TYPE VARCHAR(2000);
