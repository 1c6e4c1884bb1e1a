-- CreateTable
CREATE TABLE "CircuitTask" (
    "runId" TEXT NOT NULL,
    "task" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "usability" JSONB NOT NULL,
    "description" TEXT NOT NULL,
    "citation" JSONB,
    "metric" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "examples" JSONB NOT NULL,
    "sweeps" JSONB NOT NULL,
    "pathPatching" JSONB NOT NULL,
    "circuit" JSONB,

    CONSTRAINT "CircuitTask_pkey" PRIMARY KEY ("runId","task")
);

-- CreateTable
CREATE TABLE "HeadRole" (
    "runId" TEXT NOT NULL,
    "layer" INTEGER NOT NULL,
    "head" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "task" TEXT NOT NULL,
    "verdict" TEXT NOT NULL,
    "score" DOUBLE PRECISION,
    "threshold" DOUBLE PRECISION,
    "detail" JSONB NOT NULL,

    CONSTRAINT "HeadRole_pkey" PRIMARY KEY ("runId","layer","head","role")
);

-- CreateIndex
CREATE INDEX "HeadRole_runId_role_idx" ON "HeadRole"("runId", "role");

-- AddForeignKey
ALTER TABLE "CircuitTask" ADD CONSTRAINT "CircuitTask_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "HeadRole" ADD CONSTRAINT "HeadRole_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Published runs are immutable (see the immutable_published_runs and immutable_models_corpora_truncate migrations).
CREATE TRIGGER "CircuitTask_published_is_immutable"
  BEFORE INSERT OR UPDATE OR DELETE ON "CircuitTask"
  FOR EACH ROW EXECUTE FUNCTION headwiki_refuse_published_run_rows_change();
CREATE TRIGGER "HeadRole_published_is_immutable"
  BEFORE INSERT OR UPDATE OR DELETE ON "HeadRole"
  FOR EACH ROW EXECUTE FUNCTION headwiki_refuse_published_run_rows_change();
CREATE TRIGGER "CircuitTask_published_no_truncate" BEFORE TRUNCATE ON "CircuitTask"
  FOR EACH STATEMENT EXECUTE FUNCTION headwiki_refuse_published_truncate('runId');
CREATE TRIGGER "HeadRole_published_no_truncate" BEFORE TRUNCATE ON "HeadRole"
  FOR EACH STATEMENT EXECUTE FUNCTION headwiki_refuse_published_truncate('runId');
