-- CreateTable
CREATE TABLE "NeuronLayerStats" (
    "runId" TEXT NOT NULL,
    "corpusSlug" TEXT NOT NULL,
    "layer" INTEGER NOT NULL,
    "site" TEXT NOT NULL,
    "nNeurons" INTEGER NOT NULL,
    "contexts" INTEGER NOT NULL,
    "tokens" INTEGER NOT NULL,
    "baseline" JSONB NOT NULL,
    "options" JSONB NOT NULL,

    CONSTRAINT "NeuronLayerStats_pkey" PRIMARY KEY ("runId","corpusSlug","layer","site")
);

-- CreateTable
CREATE TABLE "NeuronStats" (
    "runId" TEXT NOT NULL,
    "corpusSlug" TEXT NOT NULL,
    "layer" INTEGER NOT NULL,
    "site" TEXT NOT NULL,
    "neuron" INTEGER NOT NULL,
    "count" DOUBLE PRECISION NOT NULL,
    "maxAct" DOUBLE PRECISION NOT NULL,
    "minAct" DOUBLE PRECISION NOT NULL,
    "mean" DOUBLE PRECISION NOT NULL,
    "variance" DOUBLE PRECISION NOT NULL,
    "skewness" DOUBLE PRECISION NOT NULL,
    "kurtosis" DOUBLE PRECISION NOT NULL,
    "density" DOUBLE PRECISION NOT NULL,
    "topTokenShare" DOUBLE PRECISION NOT NULL,
    "histLo" DOUBLE PRECISION NOT NULL,
    "histHi" DOUBLE PRECISION NOT NULL,
    "histogram" INTEGER[],
    "quantileLevels" DOUBLE PRECISION[],
    "quantiles" DOUBLE PRECISION[],
    "effects" JSONB NOT NULL,
    "minimalRate" DOUBLE PRECISION,
    "comparison" JSONB,
    "warning" TEXT,

    CONSTRAINT "NeuronStats_pkey" PRIMARY KEY ("runId","corpusSlug","layer","site","neuron")
);

-- CreateTable
CREATE TABLE "NeuronExamples" (
    "runId" TEXT NOT NULL,
    "corpusSlug" TEXT NOT NULL,
    "layer" INTEGER NOT NULL,
    "site" TEXT NOT NULL,
    "neuron" INTEGER NOT NULL,
    "examples" JSONB NOT NULL,
    "acts" BYTEA NOT NULL,

    CONSTRAINT "NeuronExamples_pkey" PRIMARY KEY ("runId","corpusSlug","layer","site","neuron")
);

-- CreateIndex
CREATE INDEX "NeuronStats_runId_corpusSlug_layer_site_maxAct_idx" ON "NeuronStats"("runId", "corpusSlug", "layer", "site", "maxAct");

-- AddForeignKey
ALTER TABLE "NeuronLayerStats" ADD CONSTRAINT "NeuronLayerStats_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NeuronStats" ADD CONSTRAINT "NeuronStats_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NeuronExamples" ADD CONSTRAINT "NeuronExamples_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Per-run tables: published runs are immutable (function from the immutable_published_runs migration).
CREATE TRIGGER "NeuronLayerStats_published_is_immutable"
  BEFORE INSERT OR UPDATE OR DELETE ON "NeuronLayerStats"
  FOR EACH ROW EXECUTE FUNCTION headwiki_refuse_published_run_rows_change();

CREATE TRIGGER "NeuronStats_published_is_immutable"
  BEFORE INSERT OR UPDATE OR DELETE ON "NeuronStats"
  FOR EACH ROW EXECUTE FUNCTION headwiki_refuse_published_run_rows_change();

CREATE TRIGGER "NeuronExamples_published_is_immutable"
  BEFORE INSERT OR UPDATE OR DELETE ON "NeuronExamples"
  FOR EACH ROW EXECUTE FUNCTION headwiki_refuse_published_run_rows_change();
