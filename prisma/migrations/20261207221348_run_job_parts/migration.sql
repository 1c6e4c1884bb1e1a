-- CreateTable
CREATE TABLE "RunJobPart" (
    "runId" TEXT NOT NULL,
    "jobKey" TEXT NOT NULL,
    "part" INTEGER NOT NULL,
    "result" BYTEA NOT NULL,

    CONSTRAINT "RunJobPart_pkey" PRIMARY KEY ("runId","jobKey","part")
);

-- AddForeignKey
ALTER TABLE "RunJobPart" ADD CONSTRAINT "RunJobPart_runId_jobKey_fkey" FOREIGN KEY ("runId", "jobKey") REFERENCES "RunJob"("runId", "jobKey") ON DELETE CASCADE ON UPDATE CASCADE;

-- A published run's staged parts are frozen with it, like its jobs (row and TRUNCATE triggers, as every run table).
CREATE TRIGGER "RunJobPart_published_is_immutable"
  BEFORE INSERT OR UPDATE OR DELETE ON "RunJobPart"
  FOR EACH ROW EXECUTE FUNCTION headwiki_refuse_published_run_rows_change();
CREATE TRIGGER "RunJobPart_published_no_truncate" BEFORE TRUNCATE ON "RunJobPart"
  FOR EACH STATEMENT EXECUTE FUNCTION headwiki_refuse_published_truncate('runId');
