-- Immutability of published data, completed. A published run's pages also read its "Model" row (name,
-- dimensions, source, license, description, config) and rest on its "Corpus" and "Document" rows, which
-- had no trigger (an UPDATE of "Model" succeeded); and row triggers never see TRUNCATE, which emptied
-- results tables of published runs. Here:
--  * "Model" / "Corpus" rows used by a published run refuse DELETE, and UPDATE unless it changes nothing
--    but "updatedAt" (Prisma's upsert of an unchanged model rewrites that column alone);
--  * "Document" rows of a corpus used by a published run refuse INSERT, UPDATE and DELETE;
--  * every table holding a published run's data refuses TRUNCATE (statement-level triggers) while it holds
--    any: rows of a published run, a model or corpus a published run uses, or their documents.
-- As before, an operator who must remove published data can do it in a session with
-- SET session_replication_role = replica, which skips these triggers.

CREATE FUNCTION headwiki_refuse_used_row_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  used boolean;
BEGIN
  IF TG_TABLE_NAME = 'Model' THEN
    SELECT EXISTS (SELECT 1 FROM "Run" WHERE "modelId" = OLD.id AND status = 'published') INTO used;
  ELSE
    SELECT EXISTS (SELECT 1 FROM "Run" WHERE "corpusId" = OLD.id AND status = 'published') INTO used;
  END IF;
  IF used THEN
    IF TG_OP = 'DELETE' THEN
      RAISE EXCEPTION '"%" row % is used by a published run and immutable: DELETE refused', TG_TABLE_NAME, OLD.id
        USING ERRCODE = 'HW001';
    END IF;
    IF (to_jsonb(NEW) - 'updatedAt') IS DISTINCT FROM (to_jsonb(OLD) - 'updatedAt') THEN
      RAISE EXCEPTION '"%" row % is used by a published run and immutable: UPDATE refused', TG_TABLE_NAME, OLD.id
        USING ERRCODE = 'HW001';
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "Model_published_is_immutable"
  BEFORE UPDATE OR DELETE ON "Model"
  FOR EACH ROW EXECUTE FUNCTION headwiki_refuse_used_row_change();

CREATE TRIGGER "Corpus_published_is_immutable"
  BEFORE UPDATE OR DELETE ON "Corpus"
  FOR EACH ROW EXECUTE FUNCTION headwiki_refuse_used_row_change();

CREATE FUNCTION headwiki_refuse_published_document_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE')
     AND EXISTS (SELECT 1 FROM "Run" WHERE "corpusId" = OLD."corpusId" AND status = 'published') THEN
    RAISE EXCEPTION 'corpus % is used by a published run: % on "Document" refused', OLD."corpusId", TG_OP
      USING ERRCODE = 'HW001';
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE')
     AND EXISTS (SELECT 1 FROM "Run" WHERE "corpusId" = NEW."corpusId" AND status = 'published') THEN
    RAISE EXCEPTION 'corpus % is used by a published run: % on "Document" refused', NEW."corpusId", TG_OP
      USING ERRCODE = 'HW001';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "Document_published_is_immutable"
  BEFORE INSERT OR UPDATE OR DELETE ON "Document"
  FOR EACH ROW EXECUTE FUNCTION headwiki_refuse_published_document_change();

-- Statement-level: TRUNCATE fires no row trigger. The argument says how the table reaches a published run.
CREATE FUNCTION headwiki_refuse_published_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  holds boolean;
BEGIN
  CASE TG_ARGV[0]
    WHEN 'run' THEN
      SELECT EXISTS (SELECT 1 FROM "Run" WHERE status = 'published') INTO holds;
    WHEN 'model' THEN
      SELECT EXISTS (SELECT 1 FROM "Run" WHERE status = 'published') INTO holds;
    WHEN 'corpus' THEN
      SELECT EXISTS (SELECT 1 FROM "Run" WHERE status = 'published' AND "corpusId" IS NOT NULL) INTO holds;
    ELSE -- 'runId': rows carry the run's id
      EXECUTE format(
        'SELECT EXISTS (SELECT 1 FROM %I.%I t JOIN "Run" r ON r.id = t."runId" WHERE r.status = ''published'')',
        TG_TABLE_SCHEMA, TG_TABLE_NAME)
        INTO holds;
  END CASE;
  IF holds THEN
    RAISE EXCEPTION '"%" holds data of a published run: TRUNCATE refused', TG_TABLE_NAME
      USING ERRCODE = 'HW001';
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "Run_published_no_truncate" BEFORE TRUNCATE ON "Run"
  FOR EACH STATEMENT EXECUTE FUNCTION headwiki_refuse_published_truncate('run');
CREATE TRIGGER "Model_published_no_truncate" BEFORE TRUNCATE ON "Model"
  FOR EACH STATEMENT EXECUTE FUNCTION headwiki_refuse_published_truncate('model');
CREATE TRIGGER "Corpus_published_no_truncate" BEFORE TRUNCATE ON "Corpus"
  FOR EACH STATEMENT EXECUTE FUNCTION headwiki_refuse_published_truncate('corpus');
CREATE TRIGGER "Document_published_no_truncate" BEFORE TRUNCATE ON "Document"
  FOR EACH STATEMENT EXECUTE FUNCTION headwiki_refuse_published_truncate('corpus');
CREATE TRIGGER "HeadMetric_published_no_truncate" BEFORE TRUNCATE ON "HeadMetric"
  FOR EACH STATEMENT EXECUTE FUNCTION headwiki_refuse_published_truncate('runId');
CREATE TRIGGER "RunExampleText_published_no_truncate" BEFORE TRUNCATE ON "RunExampleText"
  FOR EACH STATEMENT EXECUTE FUNCTION headwiki_refuse_published_truncate('runId');
CREATE TRIGGER "HeadPattern_published_no_truncate" BEFORE TRUNCATE ON "HeadPattern"
  FOR EACH STATEMENT EXECUTE FUNCTION headwiki_refuse_published_truncate('runId');
CREATE TRIGGER "RunJob_published_no_truncate" BEFORE TRUNCATE ON "RunJob"
  FOR EACH STATEMENT EXECUTE FUNCTION headwiki_refuse_published_truncate('runId');
CREATE TRIGGER "HeadExample_published_no_truncate" BEFORE TRUNCATE ON "HeadExample"
  FOR EACH STATEMENT EXECUTE FUNCTION headwiki_refuse_published_truncate('runId');
CREATE TRIGGER "HeadActivationStats_published_no_truncate" BEFORE TRUNCATE ON "HeadActivationStats"
  FOR EACH STATEMENT EXECUTE FUNCTION headwiki_refuse_published_truncate('runId');
CREATE TRIGGER "HeadComposition_published_no_truncate" BEFORE TRUNCATE ON "HeadComposition"
  FOR EACH STATEMENT EXECUTE FUNCTION headwiki_refuse_published_truncate('runId');
CREATE TRIGGER "CompositionBaseline_published_no_truncate" BEFORE TRUNCATE ON "CompositionBaseline"
  FOR EACH STATEMENT EXECUTE FUNCTION headwiki_refuse_published_truncate('runId');
CREATE TRIGGER "HeadLabel_published_no_truncate" BEFORE TRUNCATE ON "HeadLabel"
  FOR EACH STATEMENT EXECUTE FUNCTION headwiki_refuse_published_truncate('runId');
CREATE TRIGGER "NeuronLayerStats_published_no_truncate" BEFORE TRUNCATE ON "NeuronLayerStats"
  FOR EACH STATEMENT EXECUTE FUNCTION headwiki_refuse_published_truncate('runId');
CREATE TRIGGER "NeuronStats_published_no_truncate" BEFORE TRUNCATE ON "NeuronStats"
  FOR EACH STATEMENT EXECUTE FUNCTION headwiki_refuse_published_truncate('runId');
CREATE TRIGGER "NeuronExamples_published_no_truncate" BEFORE TRUNCATE ON "NeuronExamples"
  FOR EACH STATEMENT EXECUTE FUNCTION headwiki_refuse_published_truncate('runId');
CREATE TRIGGER "ExampleSearchText_published_no_truncate" BEFORE TRUNCATE ON "ExampleSearchText"
  FOR EACH STATEMENT EXECUTE FUNCTION headwiki_refuse_published_truncate('runId');
