/**
 * The ExampleSearchText table: one row per top example of every head, and of every neuron per corpus and site,
 * holding its plain text and the lower-cased copy that search matches. Written in the same transaction as the
 * examples (saveHeadExamples, saveNeuronCorpus), so every path that saves examples — `npm start`'s in-process
 * publish and the queue's jobs — fills it before the run is published (then it is immutable, like every run
 * table). Text search reads it through a pg_trgm index instead of decoding every example on every query.
 * One row per example (not per unit) because ranking counts matching examples: measured 2–4× faster than
 * splitting a per-unit text per query (scripts/bench/search.ts).
 */
import { examplePlainText } from '../format/example-plain-text';
import type { Prisma } from '../generated/prisma/client';
import { getPrisma } from './client';

export type SearchUnitKind = 'head' | 'neuron';

/** The lists searched: a head's two top lists, a neuron's top list (page order: top_attention < top_norm). */
const SEARCHED_KINDS: Record<SearchUnitKind, ReadonlySet<string>> = {
  head: new Set(['top_attention', 'top_norm']),
  neuron: new Set(['top']),
};

export interface SearchTextExample {
  kind: string;
  rank: number;
  tokens: readonly string[];
}

export interface ExampleSearchTextRow {
  runId: string;
  unitKind: SearchUnitKind;
  layer: number;
  site: string;
  unit: number;
  corpusSlug: string;
  exampleKind: string;
  rank: number;
  text: string;
  folded: string;
}

/** Case folding of stored text and of the searched phrase: the same function on both sides. */
export const foldCase = (s: string): string => s.toLowerCase();

/** The rows of one unit's searched examples (heads: corpus and site ''). */
export function searchTextRows(
  runId: string,
  unit: { unitKind: SearchUnitKind; layer: number; site?: string; unit: number; corpusSlug?: string },
  examples: readonly SearchTextExample[],
): ExampleSearchTextRow[] {
  return examples
    .filter((e) => SEARCHED_KINDS[unit.unitKind].has(e.kind))
    .map((e) => {
      const text = examplePlainText(e.tokens);
      return {
        runId,
        unitKind: unit.unitKind,
        layer: unit.layer,
        site: unit.site ?? '',
        unit: unit.unit,
        corpusSlug: unit.corpusSlug ?? '',
        exampleKind: e.kind,
        rank: e.rank,
        text,
        folded: foldCase(text),
      };
    });
}

/** Inside the examples' transaction: replaces these heads' rows (a retried job re-saves its heads). */
export async function replaceHeadSearchTexts(
  tx: Prisma.TransactionClient,
  runId: string,
  heads: { layer: number; head: number }[],
  rows: ExampleSearchTextRow[],
): Promise<void> {
  if (heads.length > 0) {
    await tx.exampleSearchText.deleteMany({
      where: { runId, unitKind: 'head', OR: heads.map(({ layer, head }) => ({ layer, unit: head })) },
    });
  }
  await insertSearchTexts(tx, rows);
}

export async function insertSearchTexts(tx: Prisma.TransactionClient, rows: ExampleSearchTextRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 2000) await tx.exampleSearchText.createMany({ data: rows.slice(i, i + 2000) });
}

export interface UnitTextHit {
  runId: string;
  layer: number;
  site: string;
  unit: number;
  /** How many of the unit's top examples contain the phrase (summed over corpora in scope). */
  hits: number;
  /** The first that does (by corpus, list, rank): its plain text, list and rank. */
  text: string;
  exampleKind: string;
  exampleRank: number;
}

/**
 * Units of one kind whose top examples contain `foldedPattern` (a LIKE pattern over foldCase'd text, wildcards
 * escaped by the caller), most matching examples first, then by run, layer, unit and site. `corpus` per run
 * restricts to that corpus (null: every corpus). The trigram index (or a scan of the short rows, where the
 * planner prefers it) finds the matching examples; only the returned units look up their first one.
 */
export async function searchUnitTexts(
  unitKind: SearchUnitKind,
  scope: { runId: string; corpus: string | null }[],
  foldedPattern: string,
  limit: number,
): Promise<UnitTextHit[]> {
  if (scope.length === 0) return [];
  const rows = await getPrisma().$queryRaw<(Omit<UnitTextHit, 'hits'> & { hits: bigint })[]>`
    WITH s AS (
      SELECT * FROM unnest(${scope.map((s) => s.runId)}::text[], ${scope.map((s) => s.corpus)}::text[]) AS s(run_id, corpus)
    ), ranked AS (
      SELECT e."runId", e."layer", e."site", e."unit", s.corpus, count(*) AS hits
      FROM s JOIN "ExampleSearchText" e ON e."runId" = s.run_id AND e."unitKind" = ${unitKind} AND (s.corpus IS NULL OR e."corpusSlug" = s.corpus)
      WHERE e."folded" LIKE ${foldedPattern}
      GROUP BY e."runId", e."layer", e."site", e."unit", s.corpus
      ORDER BY hits DESC, e."runId", e."layer", e."unit", e."site"
      LIMIT ${limit}
    )
    SELECT r."runId", r."layer", r."site", r."unit", r.hits, f."text", f."exampleKind", f."rank" AS "exampleRank"
    FROM ranked r CROSS JOIN LATERAL (
      SELECT e."text", e."exampleKind", e."rank" FROM "ExampleSearchText" e
      WHERE e."runId" = r."runId" AND e."unitKind" = ${unitKind} AND e."layer" = r."layer" AND e."site" = r."site" AND e."unit" = r."unit"
        AND (r.corpus IS NULL OR e."corpusSlug" = r.corpus) AND e."folded" LIKE ${foldedPattern}
      ORDER BY e."corpusSlug", e."exampleKind", e."rank"
      LIMIT 1
    ) f
    ORDER BY r.hits DESC, r."runId", r."layer", r."unit", r."site"`;
  return rows.map((r) => ({ ...r, hits: Number(r.hits) }));
}
