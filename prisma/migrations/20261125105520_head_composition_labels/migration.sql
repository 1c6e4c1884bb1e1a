-- CreateTable
CREATE TABLE "HeadComposition" (
    "runId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "srcLayer" INTEGER NOT NULL,
    "srcHead" INTEGER NOT NULL,
    "dstLayer" INTEGER NOT NULL,
    "dstHead" INTEGER NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "HeadComposition_pkey" PRIMARY KEY ("runId","kind","srcLayer","srcHead","dstLayer","dstHead")
);

-- CreateTable
CREATE TABLE "CompositionBaseline" (
    "runId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "mean" DOUBLE PRECISION NOT NULL,
    "std" DOUBLE PRECISION NOT NULL,
    "draws" INTEGER NOT NULL,
    "seed" INTEGER NOT NULL,

    CONSTRAINT "CompositionBaseline_pkey" PRIMARY KEY ("runId","kind")
);

-- CreateTable
CREATE TABLE "HeadLabel" (
    "runId" TEXT NOT NULL,
    "layer" INTEGER NOT NULL,
    "head" INTEGER NOT NULL,
    "label" TEXT NOT NULL,
    "metricId" TEXT NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "status" TEXT NOT NULL,
    "effect" DOUBLE PRECISION,
    "effectThreshold" DOUBLE PRECISION NOT NULL,
    "effectUnit" TEXT NOT NULL,
    "detail" TEXT NOT NULL,
    "ablation" TEXT NOT NULL,

    CONSTRAINT "HeadLabel_pkey" PRIMARY KEY ("runId","layer","head","label")
);

-- CreateIndex
CREATE INDEX "HeadComposition_runId_dstLayer_dstHead_idx" ON "HeadComposition"("runId", "dstLayer", "dstHead");

-- AddForeignKey
ALTER TABLE "HeadComposition" ADD CONSTRAINT "HeadComposition_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CompositionBaseline" ADD CONSTRAINT "CompositionBaseline_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "HeadLabel" ADD CONSTRAINT "HeadLabel_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Published runs are immutable (see the immutable_published_runs migration).
CREATE TRIGGER "HeadComposition_published_is_immutable"
  BEFORE INSERT OR UPDATE OR DELETE ON "HeadComposition"
  FOR EACH ROW EXECUTE FUNCTION headwiki_refuse_published_run_rows_change();

CREATE TRIGGER "CompositionBaseline_published_is_immutable"
  BEFORE INSERT OR UPDATE OR DELETE ON "CompositionBaseline"
  FOR EACH ROW EXECUTE FUNCTION headwiki_refuse_published_run_rows_change();

CREATE TRIGGER "HeadLabel_published_is_immutable"
  BEFORE INSERT OR UPDATE OR DELETE ON "HeadLabel"
  FOR EACH ROW EXECUTE FUNCTION headwiki_refuse_published_run_rows_change();
