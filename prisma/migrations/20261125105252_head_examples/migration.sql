-- CreateTable
CREATE TABLE "HeadExample" (
    "runId" TEXT NOT NULL,
    "layer" INTEGER NOT NULL,
    "head" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "rank" INTEGER NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "quantile" DOUBLE PRECISION,
    "contextId" INTEGER NOT NULL,
    "docIndex" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "windowStart" INTEGER NOT NULL,
    "tokenIds" INTEGER[],
    "tokens" TEXT[],
    "acts" BYTEA NOT NULL,
    "sourcesPerRow" INTEGER NOT NULL,
    "attnSources" INTEGER[],
    "attnWeights" BYTEA NOT NULL,

    CONSTRAINT "HeadExample_pkey" PRIMARY KEY ("runId","layer","head","kind","rank")
);

-- CreateTable
CREATE TABLE "HeadActivationStats" (
    "runId" TEXT NOT NULL,
    "layer" INTEGER NOT NULL,
    "head" INTEGER NOT NULL,
    "tokens" INTEGER NOT NULL,
    "mean" DOUBLE PRECISION NOT NULL,
    "std" DOUBLE PRECISION NOT NULL,
    "min" DOUBLE PRECISION NOT NULL,
    "max" DOUBLE PRECISION NOT NULL,
    "quantiles" JSONB NOT NULL,
    "normLo" DOUBLE PRECISION NOT NULL,
    "normHi" DOUBLE PRECISION NOT NULL,
    "normCounts" INTEGER[],
    "attentionCounts" INTEGER[],

    CONSTRAINT "HeadActivationStats_pkey" PRIMARY KEY ("runId","layer","head")
);

-- AddForeignKey
ALTER TABLE "HeadExample" ADD CONSTRAINT "HeadExample_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "HeadActivationStats" ADD CONSTRAINT "HeadActivationStats_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Per-run tables: rows of a published run are immutable (see the immutable_published_runs migration).
CREATE TRIGGER "HeadExample_published_is_immutable"
  BEFORE INSERT OR UPDATE OR DELETE ON "HeadExample"
  FOR EACH ROW EXECUTE FUNCTION headwiki_refuse_published_run_rows_change();

CREATE TRIGGER "HeadActivationStats_published_is_immutable"
  BEFORE INSERT OR UPDATE OR DELETE ON "HeadActivationStats"
  FOR EACH ROW EXECUTE FUNCTION headwiki_refuse_published_run_rows_change();
