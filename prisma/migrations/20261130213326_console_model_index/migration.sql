-- CreateIndex
CREATE INDEX "request_logs_model_created_at_idx" ON "request_logs"("model", "created_at");
