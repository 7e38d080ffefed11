-- AlterTable
ALTER TABLE "Workspace" ADD COLUMN     "slug" TEXT;

-- Backfill
UPDATE "Workspace" SET "slug" = lower("name") WHERE "slug" IS NULL;

-- CreateIndex
CREATE UNIQUE INDEX "Workspace_slug_key" ON "Workspace"("slug");
