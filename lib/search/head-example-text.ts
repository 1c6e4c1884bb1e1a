/**
 * Text search over the head examples table (HeadExample.tokens): heads whose top examples contain
 * the phrase. Token pieces are joined as the tokenizer wrote them, with SentencePiece's `▁` and GPT-2's
 * `Ġ` read as spaces, and matched case-insensitively. One result per head, most matching examples first.
 */
import { getPrisma } from '@/lib/db/client';
import { headName } from '@/lib/format/head-name';
import { headPath } from '@/lib/format/paths';
import { likePattern } from './like-pattern';
import type { SearchResult, TextSearchProvider } from './types';

export const headExampleTextSearch: TextSearchProvider = {
  id: 'head-examples',
  async search(phrase, scope, limit) {
    if (scope.length === 0 || phrase.trim().length < 2) return [];
    const byRun = new Map(scope.map((s) => [s.run.id, s.model]));
    const rows = await getPrisma().$queryRaw<{ runId: string; layer: number; head: number; hits: bigint }[]>`
      SELECT "runId", "layer", "head", count(*) AS hits FROM "HeadExample"
      WHERE "runId" = ANY(${[...byRun.keys()]}::text[])
        AND "kind" IN ('top_norm', 'top_attention')
        AND translate(array_to_string("tokens", ''), '▁Ġ', '  ') ILIKE ${likePattern(phrase)}
      GROUP BY "runId", "layer", "head"
      ORDER BY hits DESC, "runId", "layer", "head"
      LIMIT ${limit}`;
    return rows.map((r): SearchResult => {
      const model = byRun.get(r.runId)!;
      const n = Number(r.hits);
      return {
        kind: 'example',
        title: `${model.slug} ${headName(r.layer, r.head)}`,
        description: `"${phrase}" appears in ${n} of its top example${n === 1 ? '' : 's'}`,
        url: headPath(model.slug, r.layer, r.head),
      };
    });
  },
};
