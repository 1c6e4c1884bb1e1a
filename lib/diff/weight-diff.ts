import type { Tensor } from '../models/types';
import { parseHookName } from '../engine/hooks';
import type { DiffModel, WeightComponentKind, WeightDiff, WeightDiffEntry, WeightDiffRanking } from './types';
import { assertSameArchitecture } from './model';
import { TopK } from './top-k';

/**
 * Largest weight differences (open problem 6.55), per component: per head W_Q / W_O (per key/value head W_K / W_V),
 * per neuron W_in / W_gate (a column) and W_out (a row), per token W_E (a row) and W_U (a column), per position
 * W_pos, whole bias and norm tensors. Both models carry the same weight processing (prepareDiffModel applies
 * TransformerLens' process_weights_ identically to both; assertSameArchitecture checks it), so a difference is a
 * difference of the processed weights TransformerLens users look at. Relative Frobenius norms ‖B − A‖ / ‖A‖.
 */

interface Slicing {
  kind: WeightComponentKind;
  /** Which axis indexes the slices: the first (heads, rows) or the last (columns), or none (the whole tensor). */
  axis: 'first' | 'last' | null;
}

function slicingOf(name: string): Slicing {
  const { site } = parseHookName(name);
  const last = site.split('.').pop()!;
  switch (last) {
    case 'W_Q':
    case 'W_K':
    case 'W_V':
    case 'W_O':
      return { kind: last, axis: 'first' };
    case 'W_in':
    case 'W_gate':
      return { kind: last, axis: 'last' };
    case 'W_out':
    case 'W_E':
    case 'W_pos':
      return { kind: last, axis: 'first' };
    case 'W_U':
      return { kind: 'W_U', axis: 'last' };
  }
  if (/^b_/.test(last)) return { kind: 'bias', axis: null };
  return { kind: 'norm', axis: null };
}

const better = (x: WeightDiffEntry, y: WeightDiffEntry) =>
  (y.relative ?? Infinity) - (x.relative ?? Infinity) ||
  y.diffNorm - x.diffNorm ||
  (x.weight < y.weight ? -1 : x.weight > y.weight ? 1 : 0) ||
  (x.index ?? -1) - (y.index ?? -1);

const relative = (diffSq: number, aSq: number): number | null => (diffSq === 0 ? 0 : aSq === 0 ? null : Math.sqrt(diffSq / aSq));

export function computeWeightDiff(a: DiffModel, b: DiffModel, opts: { topK?: number } = {}): WeightDiff {
  assertSameArchitecture(a, b);
  const topK = opts.topK ?? 20;
  const names = [...new Set([...a.model.weights.keys(), ...b.model.weights.keys()])].sort();
  const kinds = new Map<
    WeightComponentKind,
    { top: TopK<WeightDiffEntry>; count: number; identical: number; diffSq: number; aSq: number }
  >();
  const layers = new Map<string, { layer: number; kind: WeightComponentKind; diffSq: number; aSq: number }>();
  let totalDiff = 0;
  let totalA = 0;
  for (const name of names) {
    const ta = a.model.weights.get(name);
    const tb = b.model.weights.get(name);
    const shape = (ta ?? tb)!.shape;
    if (ta && tb && ta.shape.join() !== tb.shape.join()) {
      throw new Error(`white-box diff: ${name} has shape [${ta.shape}] in ${a.slug} and [${tb.shape}] in ${b.slug}`);
    }
    const { kind, axis } = slicingOf(name);
    const layer = parseHookName(name).layer;
    const slices = sliceNorms(ta, tb, shape, axis);
    let k = kinds.get(kind);
    if (!k) kinds.set(kind, (k = { top: new TopK(topK, better), count: 0, identical: 0, diffSq: 0, aSq: 0 }));
    for (let i = 0; i < slices.aSq.length; i++) {
      const entry: WeightDiffEntry = {
        kind,
        weight: name,
        layer,
        index: axis === null ? null : i,
        normA: Math.sqrt(slices.aSq[i]),
        normB: Math.sqrt(slices.bSq[i]),
        diffNorm: Math.sqrt(slices.diffSq[i]),
        relative: relative(slices.diffSq[i], slices.aSq[i]),
      };
      k.count++;
      if (slices.diffSq[i] === 0) k.identical++;
      k.diffSq += slices.diffSq[i];
      k.aSq += slices.aSq[i];
      if (k.top.wouldAccept(entry)) k.top.push(entry);
      if (layer !== null) {
        const key = `${layer}:${kind}`;
        let l = layers.get(key);
        if (!l) layers.set(key, (l = { layer, kind, diffSq: 0, aSq: 0 }));
        l.diffSq += slices.diffSq[i];
        l.aSq += slices.aSq[i];
      }
      totalDiff += slices.diffSq[i];
      totalA += slices.aSq[i];
    }
  }
  const rankings: WeightDiffRanking[] = [...kinds].map(([kind, k]) => ({
    kind,
    count: k.count,
    identical: k.identical,
    relative: relative(k.diffSq, k.aSq),
    top: k.top.items,
  }));
  return {
    weightProcessing: a.weightProcessing,
    relative: relative(totalDiff, totalA),
    rankings,
    layers: [...layers.values()]
      .sort((x, y) => x.layer - y.layer || (x.kind < y.kind ? -1 : 1))
      .map((l) => ({ layer: l.layer, kind: l.kind, relative: relative(l.diffSq, l.aSq) })),
  };
}

/** Σa², Σb², Σ(b − a)² per slice (float64; an absent tensor, e.g. a bias one side lacks, counts as zeros). */
function sliceNorms(ta: Tensor | undefined, tb: Tensor | undefined, shape: number[], axis: Slicing['axis']) {
  const size = shape.reduce((x, y) => x * y, 1);
  const slices = axis === null ? 1 : axis === 'first' ? shape[0] : shape[shape.length - 1];
  const aSq = new Float64Array(slices);
  const bSq = new Float64Array(slices);
  const diffSq = new Float64Array(slices);
  const da = ta?.data;
  const db = tb?.data;
  const per = size / slices;
  if (axis === 'last') {
    // Column slices: each row adds to every column's sums.
    for (let r = 0; r < per; r++) {
      const off = r * slices;
      for (let j = 0; j < slices; j++) {
        const x = da ? da[off + j] : 0;
        const y = db ? db[off + j] : 0;
        aSq[j] += x * x;
        bSq[j] += y * y;
        diffSq[j] += (y - x) * (y - x);
      }
    }
  } else {
    // Contiguous slices (first axis, or the whole tensor): local sums, one store per slice.
    for (let r = 0; r < slices; r++) {
      let sa = 0;
      let sb = 0;
      let sd = 0;
      for (let i = r * per; i < (r + 1) * per; i++) {
        const x = da ? da[i] : 0;
        const y = db ? db[i] : 0;
        sa += x * x;
        sb += y * y;
        sd += (y - x) * (y - x);
      }
      aSq[r] = sa;
      bSq[r] = sb;
      diffSq[r] = sd;
    }
  }
  return { aSq, bSq, diffSq };
}
