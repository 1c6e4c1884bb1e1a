/**
 * Text search over neurons' top examples, through the ExampleSearchText table written with the examples: neurons
 * whose top examples contain the phrase, case-insensitively, with `▁`/`Ġ` read as spaces. Only each run's own
 * corpus (or, where the run records none, every corpus): comparison corpora are a side view. One result per
 * neuron and site, most matching examples first; it names the first matching example.
 */
import { foldCase, searchUnitTexts } from '@/lib/db/example-search-text';
import { neuronPath } from '@/lib/format/neuron-paths';
import { likePattern } from './like-pattern';
import { matchSnippet } from './snippet';
import type { SearchResult, TextSearchProvider } from './types';

export const neuronExampleTextSearch: TextSearchProvider = {
  id: 'neuron-examples',
  async search(phrase, scope, limit) {
    if (scope.length === 0 || phrase.trim().length < 2) return [];
    const byRun = new Map(scope.map((s) => [s.run.id, s.model]));
    const hits = await searchUnitTexts(
      'neuron',
      scope.map((s) => ({ runId: s.run.id, corpus: s.run.corpusSlug ?? null })),
      likePattern(foldCase(phrase)),
      limit,
    );
    return hits.map((r): SearchResult => {
      const model = byRun.get(r.runId)!;
      const url = neuronPath(model.slug, r.layer, r.unit, undefined, r.site);
      const n = r.hits;
      return {
        kind: 'example',
        title: `${model.slug} L${r.layer}N${r.unit}${r.site === 'post' ? '' : ` (${r.site})`}`,
        description: `"${phrase}" appears in ${n} of its top example${n === 1 ? '' : 's'}`,
        url,
        // Neuron pages anchor each top example (#top-1, #top-2, …).
        match: { example: `top example #${r.exampleRank + 1}`, text: matchSnippet(r.text, phrase), url: `${url}#top-${r.exampleRank + 1}` },
      };
    });
  },
};
