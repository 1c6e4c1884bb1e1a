/**
 * Turning a kept (head, destination) into a stored example: its token window, the ranking value on every window
 * token and, per window row, the head's best sources. Built only for the few destinations that stay in a top list
 * or a keyed sample at the end of a batch (workers/head-examples/scan.ts): the candidates a later destination of the
 * same batch pushes out are never built.
 */
import type { ScanContext } from './contexts';
import type { HeadExample, HeadExampleOptions } from './types';

/** One batch's forward outputs, per layer (flat, row-major). */
export interface BatchView {
  seq: number;
  nHeads: number;
  patterns: Float32Array[]; // [batch, head, seq, seq]
  norms: Float32Array[]; // [batch, seq, head]: ‖hook_result‖
  maxAttn: Float32Array[]; // [batch, head, seq]: max over sources k ≥ 1
}

/** Where a candidate lives in its batch, and which value ranks it. */
export interface ExampleSite {
  b: number;
  ctx: ScanContext;
  layer: number;
  head: number;
  ranking: 'norm' | 'attn';
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** The ranking value at position q (attention has no value at q = 0, where BOS attends only to itself). */
function rankingAt(view: BatchView, s: ExampleSite, q: number): number {
  if (s.ranking === 'norm') return view.norms[s.layer][(s.b * view.seq + q) * view.nHeads + s.head];
  return q === 0 ? 0 : view.maxAttn[s.layer][(s.b * view.nHeads + s.head) * view.seq + q];
}

/** Position of the largest attention to a non-BOS source of destination q (the first on ties), −1 at q = 0. */
function argmaxSource(view: BatchView, s: ExampleSite, q: number): number {
  const pattern = view.patterns[s.layer];
  const row = ((s.b * view.nHeads + s.head) * view.seq + q) * view.seq;
  let best = -1;
  let arg = -1;
  for (let k = 1; k <= q; k++) {
    if (pattern[row + k] > best) {
      best = pattern[row + k];
      arg = k;
    }
  }
  return arg;
}

/**
 * The best `m` sources of one window row, [k, weight, …] best first (ties: lower k first), among BOS (when the window
 * starts after it) and the window's sources start ≤ k ≤ q. An insertion into m slots over candidates in ascending k:
 * the order a stable sort by weight would give, without building and sorting every candidate.
 */
function topSources(
  pattern: Float32Array,
  rowBase: number,
  start: number,
  q: number,
  m: number,
  ks: Int32Array,
  ws: Float64Array,
): number[] {
  let n = 0;
  // BOS first (k = 0 < start), then the window's sources: ascending k, so a strictly larger weight moves up.
  for (let k = start > 0 ? 0 : start; k <= q; k = k === 0 && start > 0 ? start : k + 1) {
    const a = pattern[rowBase + k];
    if (n === m && !(a > ws[m - 1])) continue;
    let i = n < m ? n++ : m - 1;
    for (; i > 0 && a > ws[i - 1]; i--) {
      ks[i] = ks[i - 1];
      ws[i] = ws[i - 1];
    }
    ks[i] = k;
    ws[i] = a;
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(ks[i], round(ws[i]));
  return out;
}

/**
 * Fills in an example's window, in place (the item already sits in its top list or sample, ranked by value, doc, pos
 * and key, which this leaves as they are). The window reaches back, up to maxWindowBefore tokens, to show the
 * destination's main non-BOS source and the two tokens before it: for an induction head, the earlier occurrence of
 * the destination token and its predecessor.
 */
export function fillExample(view: BatchView, site: ExampleSite, ex: HeadExample, opts: HeadExampleOptions): void {
  const { ctx, b, head, layer } = site;
  const pos = ex.pos;
  const len = ctx.tokenIds.length;
  const src = argmaxSource(view, site, pos);
  const reach = src >= 1 ? pos - src + 2 : 0;
  const before = Math.min(opts.maxWindowBefore, Math.max(opts.windowBefore, reach));
  const start = Math.max(0, pos - before);
  const end = Math.min(len, pos + opts.windowAfter + 1);
  const { seq, nHeads } = view;
  const pattern = view.patterns[layer];
  const ks = new Int32Array(opts.sourcesPerRow);
  const ws = new Float64Array(opts.sourcesPerRow);
  const attn: number[][] = [];
  const acts: number[] = [];
  for (let q = start; q < end; q++) {
    attn.push(topSources(pattern, ((b * nHeads + head) * seq + q) * seq, start, q, opts.sourcesPerRow, ks, ws));
    acts.push(rankingAt(view, site, q));
  }
  ex.windowStart = start;
  ex.tokens = ctx.tokenIds.slice(start, end);
  ex.acts = acts;
  ex.attn = attn;
}
