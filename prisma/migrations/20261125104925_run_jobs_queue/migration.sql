-- CreateEnum
CREATE TYPE "RunJobStatus" AS ENUM ('queued', 'active', 'done', 'failed');

-- CreateTable
CREATE TABLE "RunJob" (
    "runId" TEXT NOT NULL,
    "jobKey" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" "RunJobStatus" NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "workerId" TEXT,
    "queueJobId" TEXT,
    "tokensTotal" INTEGER NOT NULL DEFAULT 0,
    "tokensDone" INTEGER NOT NULL DEFAULT 0,
    "result" BYTEA,
    "error" TEXT,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RunJob_pkey" PRIMARY KEY ("runId","jobKey")
);

-- CreateTable
CREATE TABLE "QueueWorker" (
    "id" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "device" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "runId" TEXT,
    "jobKey" TEXT,
    "jobsDone" INTEGER NOT NULL DEFAULT 0,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "QueueWorker_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "QueueWorker_lastSeenAt_idx" ON "QueueWorker"("lastSeenAt");

-- AddForeignKey
ALTER TABLE "RunJob" ADD CONSTRAINT "RunJob_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A published run's jobs (and their staged results) are frozen with it, like its other rows.
CREATE TRIGGER "RunJob_published_is_immutable"
  BEFORE INSERT OR UPDATE OR DELETE ON "RunJob"
  FOR EACH ROW EXECUTE FUNCTION headwiki_refuse_published_run_rows_change();
