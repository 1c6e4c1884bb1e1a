-- Text search over top examples reads this table (one row per top example of every head and neuron) through a
-- trigram index instead of decoding every example's tokens on every query. pg_trgm ships with Postgres (contrib).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- CreateTable
CREATE TABLE "ExampleSearchText" (
    "runId" TEXT NOT NULL,
    "unitKind" TEXT NOT NULL,
    "layer" INTEGER NOT NULL,
    "site" TEXT NOT NULL,
    "unit" INTEGER NOT NULL,
    "corpusSlug" TEXT NOT NULL,
    "exampleKind" TEXT NOT NULL,
    "rank" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "folded" TEXT NOT NULL,

    CONSTRAINT "ExampleSearchText_pkey" PRIMARY KEY ("runId","unitKind","layer","site","unit","corpusSlug","exampleKind","rank")
);

-- CreateIndex
CREATE INDEX "ExampleSearchText_folded_idx" ON "ExampleSearchText" USING GIN ("folded" gin_trgm_ops);

-- AddForeignKey
ALTER TABLE "ExampleSearchText" ADD CONSTRAINT "ExampleSearchText_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Backfill: runs saved before this migration (published ones too: the trigger comes after). The plain text is the
-- SQL twin of lib/format/example-plain-text.ts (lib/db/example-search-text.test.ts checks they agree): pieces
-- joined, whitespace byte tokens <0x09|0A|0D|20> and ▁ Ġ Ċ ĉ č \n \t \r as spaces. (New rows fold case with
-- JavaScript's toLowerCase, these with Postgres' lower(): they differ only for a few non-ASCII letters.)
INSERT INTO "ExampleSearchText" ("runId", "unitKind", "layer", "site", "unit", "corpusSlug", "exampleKind", "rank", "text", "folded")
SELECT "runId", 'head', "layer", '', "head", '', "kind", "rank", t, lower(t)
FROM (
  SELECT "runId", "layer", "head", "kind", "rank",
         translate(regexp_replace(array_to_string("tokens", ''), '<0x(0[9AaDd]|20)>', ' ', 'g'), E'▁ĠĊĉč\n\t\r', '        ') AS t
  FROM "HeadExample" WHERE "kind" IN ('top_attention', 'top_norm')
) x;

INSERT INTO "ExampleSearchText" ("runId", "unitKind", "layer", "site", "unit", "corpusSlug", "exampleKind", "rank", "text", "folded")
SELECT "runId", 'neuron', "layer", "site", "neuron", "corpusSlug", 'top', r, t, lower(t)
FROM (
  SELECT n."runId", n."corpusSlug", n."layer", n."site", n."neuron", (e.ex->>'rank')::int AS r,
         translate(regexp_replace((SELECT coalesce(string_agg(p, '' ORDER BY j), '') FROM jsonb_array_elements_text(e.ex->'tokens') WITH ORDINALITY AS tp(p, j)),
                                  '<0x(0[9AaDd]|20)>', ' ', 'g'), E'▁ĠĊĉč\n\t\r', '        ') AS t
  FROM "NeuronExamples" n CROSS JOIN LATERAL jsonb_array_elements(n."examples") AS e(ex)
  WHERE e.ex->>'kind' = 'top'
) x;

-- Per-run table: published runs are immutable (function from the immutable_published_runs migration).
CREATE TRIGGER "ExampleSearchText_published_is_immutable"
  BEFORE INSERT OR UPDATE OR DELETE ON "ExampleSearchText"
  FOR EACH ROW EXECUTE FUNCTION headwiki_refuse_published_run_rows_change();
