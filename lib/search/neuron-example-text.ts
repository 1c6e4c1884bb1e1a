/**
 * Text search over the neuron examples table (NeuronExamples.examples, a JSON array per neuron): neurons
 * whose top examples contain the phrase. Pieces are joined as the tokenizer wrote them, with SentencePiece's
 * `▁` and GPT-2's `Ġ` read as spaces, and matched case-insensitively. One result per neuron and site,
 * most matching examples first.
 */
import { getPrisma } from '@/lib/db/client';
import { neuronPath } from '@/lib/format/neuron-paths';
import { likePattern } from './like-pattern';
import type { SearchResult, TextSearchProvider } from './types';

export const neuronExampleTextSearch: TextSearchProvider = {
  id: 'neuron-examples',
  async search(phrase, scope, limit) {
    if (scope.length === 0 || phrase.trim().length < 2) return [];
    const byRun = new Map(scope.map((s) => [s.run.id, s.model]));
    // Only each run's own corpus (or, without one recorded, every corpus): comparison corpora are a side view.
    const rows = await getPrisma().$queryRaw<{ runId: string; layer: number; site: string; neuron: number; hits: bigint }[]>`
      SELECT n."runId", n."layer", n."site", n."neuron", count(*) AS hits
      FROM unnest(${scope.map((s) => s.run.id)}::text[], ${scope.map((s) => s.run.corpusSlug ?? null)}::text[]) AS s(run_id, corpus)
      JOIN "NeuronExamples" n ON n."runId" = s.run_id AND (s.corpus IS NULL OR n."corpusSlug" = s.corpus)
      CROSS JOIN LATERAL jsonb_array_elements(n."examples") AS e
      WHERE e->>'kind' = 'top'
        AND translate((SELECT string_agg(t, '') FROM jsonb_array_elements_text(e->'tokens') AS t), '▁Ġ', '  ') ILIKE ${likePattern(phrase)}
      GROUP BY n."runId", n."layer", n."site", n."neuron"
      ORDER BY hits DESC, n."runId", n."layer", n."neuron", n."site"
      LIMIT ${limit}`;
    return rows.map((r): SearchResult => {
      const model = byRun.get(r.runId)!;
      const n = Number(r.hits);
      return {
        kind: 'example',
        title: `${model.slug} L${r.layer}N${r.neuron}${r.site === 'post' ? '' : ` (${r.site})`}`,
        description: `"${phrase}" appears in ${n} of its top example${n === 1 ? '' : 's'}`,
        url: neuronPath(model.slug, r.layer, r.neuron, undefined, r.site),
      };
    });
  },
};
