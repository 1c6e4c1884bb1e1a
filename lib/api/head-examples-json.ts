/** The JSON shape of head examples in the API (and what the viewer reads). */
import type { HeadStats, StoredHeadExample } from '@/lib/db/head-examples';
import { formatToken } from '@/lib/format/token-display';

export function headExampleJson(ex: StoredHeadExample) {
  return {
    kind: ex.kind,
    rank: ex.rank,
    value: ex.value,
    quantile: ex.quantile,
    docIndex: ex.docIndex,
    contextId: ex.contextId,
    /** Destination token: position in its context (0 = BOS) and index in `tokens`. */
    position: ex.position,
    destIndex: ex.position - ex.windowStart,
    windowStart: ex.windowStart,
    tokens: ex.tokenIds.map((id, i) => ({ id, piece: ex.tokens[i], text: formatToken(ex.tokens[i]).text })),
    /** The ranking value (‖hook_result‖ or max non-BOS attention) on every window token. */
    values: ex.acts,
    /** Per window token (a destination): its best sources as [context position, attention weight]; position 0 is BOS. */
    attention: ex.attention,
  };
}

export function headStatsJson(s: HeadStats) {
  const bins = s.normCounts.length - 2;
  return {
    activation: 'result_norm',
    tokens: s.tokens,
    mean: s.mean,
    std: s.std,
    min: s.min,
    max: s.max,
    quantiles: s.quantiles,
    histogram: {
      edges: Array.from({ length: bins + 1 }, (_, i) => s.normLo + ((s.normHi - s.normLo) * i) / bins),
      counts: s.normCounts,
      note: 'counts = [below first edge, one per bin, above last edge]',
    },
    maxAttentionHistogram: {
      edges: Array.from({ length: bins + 1 }, (_, i) => i / bins),
      counts: s.attentionCounts,
    },
  };
}
