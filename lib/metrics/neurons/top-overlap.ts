/**
 * How consistent two lists of a neuron's top examples are (open problem 6.38: pre-SoLU, post-SoLU and
 * post-LayerNorm activations of one neuron; also usable for any two lists): the share of list a's contexts
 * that list b also ranks among its top, and the same for their max tokens (a context counts once).
 */
export interface TopPlace {
  contextId: number;
  /** Token id of the max token. */
  token: number;
}

export interface TopOverlap {
  /** |contexts(a) ∩ contexts(b)| / |contexts(a)|, null when a is empty. */
  contexts: number | null;
  /** Jaccard overlap of the two lists' distinct max tokens, null when both are empty. */
  tokens: number | null;
}

export function topOverlap(a: TopPlace[], b: TopPlace[]): TopOverlap {
  const ca = new Set(a.map((e) => e.contextId));
  const cb = new Set(b.map((e) => e.contextId));
  const ta = new Set(a.map((e) => e.token));
  const tb = new Set(b.map((e) => e.token));
  const sharedTokens = [...ta].filter((t) => tb.has(t)).length;
  const unionTokens = ta.size + tb.size - sharedTokens;
  return {
    contexts: ca.size === 0 ? null : [...ca].filter((c) => cb.has(c)).length / ca.size,
    tokens: unionTokens === 0 ? null : sharedTokens / unionTokens,
  };
}
