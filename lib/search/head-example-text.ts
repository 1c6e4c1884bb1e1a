/**
 * Text search over heads' top examples (top_attention and top_norm), through the ExampleSearchText table written
 * with the examples: heads whose top examples contain the phrase, case-insensitively, with `▁`/`Ġ` read as
 * spaces. One result per head, most matching examples first; it names the first matching example.
 */
import { foldCase, searchUnitTexts } from '@/lib/db/example-search-text';
import { headName } from '@/lib/format/head-name';
import { headPath } from '@/lib/format/paths';
import { likePattern } from './like-pattern';
import { matchSnippet } from './snippet';
import type { SearchResult, TextSearchProvider } from './types';

const LIST: Record<string, { label: string; anchor: string }> = {
  top_attention: { label: 'top attention example', anchor: '#examples-attention' },
  top_norm: { label: 'top output-norm example', anchor: '#examples-norm' },
};

export const headExampleTextSearch: TextSearchProvider = {
  id: 'head-examples',
  async search(phrase, scope, limit) {
    if (scope.length === 0 || phrase.trim().length < 2) return [];
    const byRun = new Map(scope.map((s) => [s.run.id, s.model]));
    const hits = await searchUnitTexts(
      'head',
      scope.map((s) => ({ runId: s.run.id, corpus: null })),
      likePattern(foldCase(phrase)),
      limit,
    );
    return hits.map((r): SearchResult => {
      const model = byRun.get(r.runId)!;
      const url = headPath(model.slug, r.layer, r.unit);
      const list = LIST[r.exampleKind] ?? { label: `${r.exampleKind} example`, anchor: '' };
      return {
        kind: 'example',
        title: `${model.slug} ${headName(r.layer, r.unit)}`,
        description: `"${phrase}" appears in ${r.hits} of its top example${r.hits === 1 ? '' : 's'}`,
        url,
        match: { example: `${list.label} #${r.exampleRank + 1}`, text: matchSnippet(r.text, phrase), url: `${url}${list.anchor}` },
      };
    });
  },
};
