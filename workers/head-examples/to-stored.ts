/** From a finalized head example set to the rows lib/db/head-examples.ts stores. */
import type { HeadExamplesToSave, StoredHeadExample } from '@/lib/db/head-examples';
import { CONTEXTS_PER_DOCUMENT, type HeadExample, type HeadExampleSet } from './types';

type PieceOf = (id: number) => string;

function toStored(
  ex: HeadExample,
  kind: StoredHeadExample['kind'],
  rank: number,
  quantile: number | null,
  piece: PieceOf,
): StoredHeadExample {
  return {
    kind,
    rank,
    value: ex.value,
    quantile,
    contextId: ex.doc,
    docIndex: Math.floor(ex.doc / CONTEXTS_PER_DOCUMENT),
    position: ex.pos,
    windowStart: ex.windowStart,
    tokenIds: ex.tokens,
    tokens: ex.tokens.map(piece),
    acts: ex.acts,
    attention: ex.attn.map((flat) => {
      const row: [number, number][] = [];
      for (let j = 0; j < flat.length; j += 2) row.push([flat[j], flat[j + 1]]);
      return row;
    }),
  };
}

export function headExamplesToSave(set: HeadExampleSet, tokens: number, piece: PieceOf): HeadExamplesToSave {
  const examples: StoredHeadExample[] = [
    ...set.topNorm.map((ex, i) => toStored(ex, 'top_norm', i, null, piece)),
    ...set.topAttention.map((ex, i) => toStored(ex, 'top_attention', i, null, piece)),
  ];
  set.quantileSamples.forEach((q, i) => {
    if (q.example) examples.push(toStored(q.example, 'quantile', i, q.quantile, piece));
  });
  const finite = (x: number) => (Number.isFinite(x) ? x : 0);
  const { normStats: s } = set;
  return {
    layer: set.layer,
    head: set.head,
    examples,
    stats: {
      tokens,
      mean: finite(s.mean),
      std: finite(Math.sqrt(Math.max(0, s.variance))),
      min: finite(s.min),
      max: finite(s.max),
      quantiles: set.normQuantiles.map((q) => ({ quantile: q.quantile, value: finite(q.value) })),
      normLo: set.normHistogram.edges[0],
      normHi: set.normHistogram.edges[set.normHistogram.edges.length - 1],
      normCounts: set.normHistogram.counts,
      attentionCounts: set.attentionHistogram.counts,
    },
  };
}
