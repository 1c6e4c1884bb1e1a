-- CreateTable
CREATE TABLE "ModelDiff" (
    "id" TEXT NOT NULL,
    "runAId" TEXT NOT NULL,
    "runBId" TEXT NOT NULL,
    "corpusId" INTEGER NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'running',
    "options" JSONB NOT NULL,
    "codeVersion" TEXT NOT NULL,
    "seed" INTEGER NOT NULL,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "publishedAt" TIMESTAMP(3),
    "durationMs" INTEGER,

    CONSTRAINT "ModelDiff_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DiffJob" (
    "diffId" TEXT NOT NULL,
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

    CONSTRAINT "DiffJob_pkey" PRIMARY KEY ("diffId","jobKey")
);

-- CreateTable
CREATE TABLE "DiffSection" (
    "diffId" TEXT NOT NULL,
    "section" TEXT NOT NULL,
    "data" JSONB NOT NULL,

    CONSTRAINT "DiffSection_pkey" PRIMARY KEY ("diffId","section")
);

-- CreateTable
CREATE TABLE "CheckpointSeries" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CheckpointSeries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SeriesCheckpoint" (
    "seriesId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "step" INTEGER NOT NULL,
    "runId" TEXT NOT NULL,
    "diffId" TEXT,

    CONSTRAINT "SeriesCheckpoint_pkey" PRIMARY KEY ("seriesId","position")
);

-- CreateIndex
CREATE INDEX "ModelDiff_status_publishedAt_idx" ON "ModelDiff"("status", "publishedAt" DESC);

-- CreateIndex
CREATE INDEX "ModelDiff_runAId_runBId_idx" ON "ModelDiff"("runAId", "runBId");

-- CreateIndex
CREATE INDEX "CheckpointSeries_createdAt_idx" ON "CheckpointSeries"("createdAt" DESC);

-- AddForeignKey
ALTER TABLE "ModelDiff" ADD CONSTRAINT "ModelDiff_runAId_fkey" FOREIGN KEY ("runAId") REFERENCES "Run"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelDiff" ADD CONSTRAINT "ModelDiff_runBId_fkey" FOREIGN KEY ("runBId") REFERENCES "Run"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelDiff" ADD CONSTRAINT "ModelDiff_corpusId_fkey" FOREIGN KEY ("corpusId") REFERENCES "Corpus"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DiffJob" ADD CONSTRAINT "DiffJob_diffId_fkey" FOREIGN KEY ("diffId") REFERENCES "ModelDiff"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DiffSection" ADD CONSTRAINT "DiffSection_diffId_fkey" FOREIGN KEY ("diffId") REFERENCES "ModelDiff"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SeriesCheckpoint" ADD CONSTRAINT "SeriesCheckpoint_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "CheckpointSeries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SeriesCheckpoint" ADD CONSTRAINT "SeriesCheckpoint_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SeriesCheckpoint" ADD CONSTRAINT "SeriesCheckpoint_diffId_fkey" FOREIGN KEY ("diffId") REFERENCES "ModelDiff"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Published diffs are immutable like published runs (see `immutable_published_runs`): a published
-- "ModelDiff" row refuses UPDATE and DELETE, and its jobs and sections refuse INSERT, UPDATE and DELETE.
CREATE FUNCTION headwiki_refuse_published_diff_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'published' THEN
    RAISE EXCEPTION 'diff % is published and immutable: % on "ModelDiff" refused', OLD.id, TG_OP
      USING ERRCODE = 'HW001';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "ModelDiff_published_is_immutable"
  BEFORE UPDATE OR DELETE ON "ModelDiff"
  FOR EACH ROW EXECUTE FUNCTION headwiki_refuse_published_diff_change();

CREATE FUNCTION headwiki_refuse_published_diff_rows_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE')
     AND EXISTS (SELECT 1 FROM "ModelDiff" WHERE id = OLD."diffId" AND status = 'published') THEN
    RAISE EXCEPTION 'diff % is published and immutable: % on "%" refused', OLD."diffId", TG_OP, TG_TABLE_NAME
      USING ERRCODE = 'HW001';
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE')
     AND EXISTS (SELECT 1 FROM "ModelDiff" WHERE id = NEW."diffId" AND status = 'published') THEN
    RAISE EXCEPTION 'diff % is published and immutable: % on "%" refused', NEW."diffId", TG_OP, TG_TABLE_NAME
      USING ERRCODE = 'HW001';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "DiffJob_published_is_immutable"
  BEFORE INSERT OR UPDATE OR DELETE ON "DiffJob"
  FOR EACH ROW EXECUTE FUNCTION headwiki_refuse_published_diff_rows_change();
CREATE TRIGGER "DiffSection_published_is_immutable"
  BEFORE INSERT OR UPDATE OR DELETE ON "DiffSection"
  FOR EACH ROW EXECUTE FUNCTION headwiki_refuse_published_diff_rows_change();

-- A diff may only cite published runs (their rows are frozen, so what it compares cannot move).
CREATE FUNCTION headwiki_require_published_diff_runs() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT count(*) FROM "Run" WHERE id IN (NEW."runAId", NEW."runBId") AND status = 'published')
     < (CASE WHEN NEW."runAId" = NEW."runBId" THEN 1 ELSE 2 END) THEN
    RAISE EXCEPTION 'diff %: runs % and % must both be published', NEW.id, NEW."runAId", NEW."runBId"
      USING ERRCODE = 'HW001';
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "ModelDiff_cites_published_runs"
  BEFORE INSERT ON "ModelDiff"
  FOR EACH ROW EXECUTE FUNCTION headwiki_require_published_diff_runs();

-- The corpus a published diff read: its documents and row are frozen like a published run's.
CREATE FUNCTION headwiki_refuse_diff_corpus_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  corpus int;
BEGIN
  IF TG_TABLE_NAME = 'Corpus' THEN
    corpus := OLD.id;
  ELSIF TG_OP = 'INSERT' THEN
    corpus := NEW."corpusId";
  ELSE
    corpus := OLD."corpusId";
  END IF;
  IF EXISTS (SELECT 1 FROM "ModelDiff" WHERE "corpusId" = corpus AND status = 'published')
     AND (TG_OP <> 'UPDATE' OR TG_TABLE_NAME <> 'Corpus' OR to_jsonb(NEW) IS DISTINCT FROM to_jsonb(OLD)) THEN
    RAISE EXCEPTION 'corpus % is used by a published diff: % on "%" refused', corpus, TG_OP, TG_TABLE_NAME
      USING ERRCODE = 'HW001';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "Corpus_used_by_published_diff"
  BEFORE UPDATE OR DELETE ON "Corpus"
  FOR EACH ROW EXECUTE FUNCTION headwiki_refuse_diff_corpus_change();
CREATE TRIGGER "Document_used_by_published_diff"
  BEFORE INSERT OR UPDATE OR DELETE ON "Document"
  FOR EACH ROW EXECUTE FUNCTION headwiki_refuse_diff_corpus_change();

-- Checkpoint series are written once (lib/db/checkpoint-series.ts, when every run and diff is published).
CREATE FUNCTION headwiki_refuse_series_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'checkpoint series are immutable: % on "%" refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'HW001';
END
$$;

CREATE TRIGGER "CheckpointSeries_published_is_immutable"
  BEFORE UPDATE OR DELETE ON "CheckpointSeries"
  FOR EACH ROW EXECUTE FUNCTION headwiki_refuse_series_change();
CREATE TRIGGER "SeriesCheckpoint_published_is_immutable"
  BEFORE UPDATE OR DELETE ON "SeriesCheckpoint"
  FOR EACH ROW EXECUTE FUNCTION headwiki_refuse_series_change();

-- TRUNCATE fires no row trigger.
CREATE FUNCTION headwiki_refuse_diff_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  holds boolean;
BEGIN
  CASE TG_ARGV[0]
    WHEN 'diff' THEN
      SELECT EXISTS (SELECT 1 FROM "ModelDiff" WHERE status = 'published') INTO holds;
    WHEN 'series' THEN
      SELECT EXISTS (SELECT 1 FROM "CheckpointSeries") INTO holds;
    ELSE -- 'diffId': rows carry the diff's id
      EXECUTE format(
        'SELECT EXISTS (SELECT 1 FROM %I.%I t JOIN "ModelDiff" d ON d.id = t."diffId" WHERE d.status = ''published'')',
        TG_TABLE_SCHEMA, TG_TABLE_NAME)
        INTO holds;
  END CASE;
  IF holds THEN
    RAISE EXCEPTION '"%" holds published diff or series data: TRUNCATE refused', TG_TABLE_NAME
      USING ERRCODE = 'HW001';
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "ModelDiff_published_no_truncate" BEFORE TRUNCATE ON "ModelDiff"
  FOR EACH STATEMENT EXECUTE FUNCTION headwiki_refuse_diff_truncate('diff');
CREATE TRIGGER "DiffJob_published_no_truncate" BEFORE TRUNCATE ON "DiffJob"
  FOR EACH STATEMENT EXECUTE FUNCTION headwiki_refuse_diff_truncate('diffId');
CREATE TRIGGER "DiffSection_published_no_truncate" BEFORE TRUNCATE ON "DiffSection"
  FOR EACH STATEMENT EXECUTE FUNCTION headwiki_refuse_diff_truncate('diffId');
CREATE TRIGGER "CheckpointSeries_no_truncate" BEFORE TRUNCATE ON "CheckpointSeries"
  FOR EACH STATEMENT EXECUTE FUNCTION headwiki_refuse_diff_truncate('series');
CREATE TRIGGER "SeriesCheckpoint_no_truncate" BEFORE TRUNCATE ON "SeriesCheckpoint"
  FOR EACH STATEMENT EXECUTE FUNCTION headwiki_refuse_diff_truncate('series');
