-- CreateIndex
CREATE UNIQUE INDEX "Post_slug_key" ON "Post"("slug");
