import type { ModelConfig, Tensor } from '../../models/types';
import type { ActivationCache, ForwardRunner, HookName } from '../../engine/types';
import { concreteHookShape, type InterventionTensors } from '../../engine/interventions';
import { hookDims, parseHookName } from '../../engine/hooks';

/**
 * The one patching mechanism every sweep, path patch and circuit search is built on: a list of patched runs, each
 * its own batch row with its own patched cells, run as few forward batches. Every intervention is a graph input
 * (keep/replacement per element, lib/engine/interventions.ts), so different rows of one batch patch different heads,
 * layers or positions, and one cached session serves the whole sweep: the hooks a sweep may touch are intervened in
 * every batch (keep = 1 where a row patches nothing), so the session's input set never changes.
 */

/** Which elements of one hook a part overwrites, and where their values come from. */
export interface PatchPart {
  hook: HookName;
  /** Head (hook_q/k/v/z/result: axis 2; hook_pattern/scores: axis 1); all heads when omitted. */
  head?: number;
  /** Positions (query positions for patterns); all when omitted. */
  positions?: number[];
  /** Last-axis index (an MLP neuron, a residual dimension); all when omitted. */
  neuron?: number;
  /** Values come from this tensor (a cached run of the same length), at batch row `sourceRow`, same offsets. */
  source: Tensor;
  sourceRow: number;
  /** Added to the source value (causal tracing's noise), per element of the row's slice; optional. */
  add?: Float32Array;
}

export interface PatchedRun {
  tokens: number[];
  parts: PatchPart[];
}

export interface PatchRunOptions {
  /** Hooks intervened in every batch (a superset of the parts' hooks), so that one session serves all batches. */
  intervene: HookName[];
  /** Hooks to fetch. */
  read: HookName[];
  /** Upper bound on rows per batch (default: what fits maxTokens and maxInterventionBytes). */
  maxRows?: number;
  maxTokens?: number;
  maxInterventionBytes?: number;
}

function hookWidth(cfg: ModelConfig, hook: HookName, seqLen: number): number {
  return concreteHookShape(cfg, hook, 1, seqLen).reduce((a, b) => a * b, 1);
}

/** Rows per batch: bounded by tokens (activations) and by the keep/replacement inputs (5 bytes per element). */
export function rowsPerBatch(cfg: ModelConfig, seqLen: number, opts: PatchRunOptions): number {
  const perRowBytes = opts.intervene.reduce((s, h) => s + 5 * hookWidth(cfg, h, seqLen), 0);
  const byTokens = Math.floor((opts.maxTokens ?? 4096) / seqLen);
  const byBytes = perRowBytes > 0 ? Math.floor((opts.maxInterventionBytes ?? 64 * 2 ** 20) / perRowBytes) : Infinity;
  return Math.max(1, Math.min(opts.maxRows ?? Infinity, byTokens, byBytes));
}

/**
 * Runs every patched run (grouped by length, chunked into batches) and hands each row's cache to `onRow`
 * (cache, row within the batch, index into `runs`). Returns the number of forward passes.
 */
export async function runPatched(
  runner: ForwardRunner,
  cfg: ModelConfig,
  runs: PatchedRun[],
  opts: PatchRunOptions,
  onRow: (cache: ActivationCache, row: number, runIndex: number) => void,
): Promise<number> {
  for (const run of runs)
    for (const p of run.parts) if (!opts.intervene.includes(p.hook)) throw new Error(`patch on ${p.hook}, not in intervene`);
  const byLength = new Map<number, number[]>();
  runs.forEach((r, i) => byLength.set(r.tokens.length, [...(byLength.get(r.tokens.length) ?? []), i]));
  let passes = 0;
  for (const [seqLen, indices] of byLength) {
    const size = rowsPerBatch(cfg, seqLen, opts);
    for (let start = 0; start < indices.length; start += size) {
      const batch = indices.slice(start, start + size);
      const patchTensors = new Map<HookName, InterventionTensors>();
      for (const hook of opts.intervene) {
        const shape = concreteHookShape(cfg, hook, batch.length, seqLen);
        const n = shape.reduce((a, b) => a * b, 1);
        patchTensors.set(hook, { shape, keep: new Uint8Array(n).fill(1), replacement: new Float32Array(n) });
      }
      batch.forEach((runIndex, row) => {
        for (const part of runs[runIndex].parts) writePart(cfg, patchTensors.get(part.hook)!, row, part);
      });
      const cache = await runner.run(
        batch.map((i) => runs[i].tokens),
        opts.read,
        { patchTensors },
      );
      passes++;
      batch.forEach((runIndex, row) => onRow(cache, row, runIndex));
    }
  }
  return passes;
}

/** The layout of a hook's per-row slice: [pos, head, d] for head hooks, [head, q, k] for patterns, [pos, d] otherwise. */
function rowAxes(cfg: ModelConfig, hook: HookName): { kind: 'head' | 'pattern' | 'flat' } {
  const site = parseHookName(hook).site;
  if (site === 'attn.hook_pattern' || site === 'attn.hook_attn_scores') return { kind: 'pattern' };
  return { kind: hookDims(cfg, hook).length === 4 ? 'head' : 'flat' };
}

/** Writes one part into a batch row's slice of its hook's keep/replacement tensors. */
function writePart(cfg: ModelConfig, t: InterventionTensors, row: number, part: PatchPart): void {
  const perRow = t.keep.length / t.shape[0];
  const { kind } = rowAxes(cfg, part.hook);
  const off = row * perRow;
  const srcOff = part.sourceRow * perRow;
  if (part.source.data.length < srcOff + perRow)
    throw new Error(`patch source for ${part.hook} has no row ${part.sourceRow} of this shape`);
  const set = (i: number) => {
    t.keep[off + i] = 0;
    t.replacement[off + i] = part.source.data[srcOff + i] + (part.add ? part.add[i] : 0);
  };
  if (kind === 'pattern') {
    // [head, q, k]
    const [, H, Q, K] = t.shape;
    for (let h = 0; h < H; h++) {
      if (part.head !== undefined && h !== part.head) continue;
      for (let q = 0; q < Q; q++) {
        if (part.positions && !part.positions.includes(q)) continue;
        for (let k = 0; k < K; k++) set((h * Q + q) * K + k);
      }
    }
    return;
  }
  const positions = t.shape[1];
  const width = perRow / positions;
  for (let p = 0; p < positions; p++) {
    if (part.positions && !part.positions.includes(p)) continue;
    if (kind === 'head') {
      const [, , H, dh] = t.shape;
      for (let h = 0; h < H; h++) {
        if (part.head !== undefined && h !== part.head) continue;
        for (let d = 0; d < dh; d++) set(p * width + h * dh + d);
      }
    } else if (part.neuron !== undefined) {
      set(p * width + part.neuron);
    } else {
      for (let d = 0; d < width; d++) set(p * width + d);
    }
  }
}
