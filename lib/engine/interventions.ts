import type { ModelConfig, Tensor } from '../models/types';
import type { HookName } from './types';
import { assertKnownHooks, hookDims, parseHookName } from './hooks';
import type { Projection } from './projections';
import type { PositionReductions } from './reductions';
import type { EdgePatches } from './edge-patching';

/**
 * Interventions: zero- or mean-ablation of a head or an MLP neuron, and activation patching, as INPUTS of the
 * same ONNX graph (not rebuilt graphs). Every intervened hook gets two graph inputs of the hook's shape, a boolean
 * `keep` and a float `replacement`, and its value becomes `keep ? value : replacement` for everything after it;
 * one cached session therefore serves every ablation / patch of the same set of hooks.
 *
 * Usage (OnnxRunner and ReferenceRunner alike; both implement ForwardRunner):
 *
 *   // Zero-ablate head L0H1 (on hook_z or hook_result; the same for the rest of the forward pass):
 *   await runner.run(tokens, ['logits'], { interventions: [{ hook: 'blocks.0.attn.hook_z', kind: 'zero', head: 1 }] });
 *
 *   // Mean-ablate it: value is broadcast against the hook's shape like NumPy (any trailing part of
 *   // [batch, pos, head, d_head]): [d_head] (the head's mean), [head, d_head], [pos, head, d_head], ...
 *   const z = (await runner.run(corpusBatch, ['blocks.0.attn.hook_z'])).get('blocks.0.attn.hook_z')!;
 *   const mean = meanOverBatchAndPositions(z);                       // [head, d_head]
 *   await runner.run(tokens, ['logits'], { interventions: [{ hook: 'blocks.0.attn.hook_z', kind: 'mean', head: 1, value: mean }] });
 *
 *   // Ablate MLP neuron 123 of layer 2 at positions 3 and 4 only:
 *   { hook: 'blocks.2.mlp.hook_post', kind: 'zero', neuron: 123, positions: [3, 4] }
 *
 *   // Activation patching: a clean run's value, written into a corrupted run (same batch and length) at the
 *   // chosen positions / head (all if omitted):
 *   const clean = await runner.run(cleanTokens, ['blocks.1.attn.hook_z']);
 *   await runner.run(corruptedTokens, ['logits'], {
 *     interventions: [{ hook: 'blocks.1.attn.hook_z', kind: 'patch', head: 4, positions: [7], value: clean.get('blocks.1.attn.hook_z')! }],
 *   });
 *
 * Selection: `head` indexes the head axis (hook_q/k/v/z/result/rot_q/rot_k: axis 2; hook_attn_scores/hook_pattern:
 * axis 1), `neuron` the last axis of a hook without heads (mlp.hook_pre/post/mid: a neuron; resid hooks: a
 * residual dimension), `positions` the position axis (the query axis of scores and patterns), `rows` the batch axis
 * (one batch can carry a different intervention per sequence: lib/diff/patching.ts patches one component per row).
 * Omitted means all. Only the selected elements are visited when the tensors are built.
 * Several interventions may target the same hook; later ones win where they overlap. Any hook can be intervened
 * on except hook_pos_embed (the forward pass does not read it back; use blocks.0.hook_resid_pre).
 * TransformerLens equivalent: run_with_hooks with a hook that edits the activation; hooks fetched in the same run
 * return the intervened value.
 */

export type InterventionKind = 'zero' | 'mean' | 'patch';

export interface Intervention {
  hook: HookName;
  kind: InterventionKind;
  head?: number;
  neuron?: number;
  positions?: number[];
  /** Batch rows (sequences) to intervene on; all if omitted. Lets one batch run a different intervention per row. */
  rows?: number[];
  /** mean: the replacement (a number, or a tensor broadcast against the hook's shape); patch: the source activations. */
  value?: Tensor | number;
}

export interface RunOptions {
  interventions?: Intervention[];
  /**
   * Prebuilt keep/replacement tensors by hook, of the hook's concrete shape: for callers that patch a different
   * cell in every batch row (lib/circuits: a sweep over all heads is one batch, one head per row), which the
   * selection fields above cannot say. `interventions` on the same hook apply on top (on a copy).
   */
  patchTensors?: Map<HookName, InterventionTensors>;
  /** Extra in-graph outputs `hook · matrix` (lib/engine/projections.ts; OnnxRunner only). */
  projections?: Projection[];
  /** Per-context reductions over positions, in the graph (lib/engine/reductions.ts; OnnxRunner only). */
  reductions?: PositionReductions;
  /** Hooks whose norm over the last axis comes back as `normName(hook)` (lib/engine/reductions.ts; OnnxRunner only). */
  norms?: HookName[];
  /** Pattern hooks whose max over non-BOS sources comes back as `sourceMaxName(hook)` (reductions.ts; OnnxRunner only). */
  sourceMaxima?: HookName[];
  /** Edge patching: per batch row, which sender → receiver edges read a source run's values (lib/engine/edge-patching.ts; OnnxRunner only). */
  edgePatches?: EdgePatches;
}

/** One intervened hook's inputs, with the hook's concrete shape: keep[i] = 1 leaves element i, 0 takes replacement[i]. */
export interface InterventionTensors {
  shape: number[];
  keep: Uint8Array;
  replacement: Float32Array;
}

/** Which axes of a hook's tensor the selection fields address. */
function hookAxes(cfg: ModelConfig, hook: HookName): { pos: number; head: number | null; neuron: number | null } {
  const dims = hookDims(cfg, hook);
  const site = parseHookName(hook).site;
  if (site === 'attn.hook_attn_scores' || site === 'attn.hook_pattern') return { pos: 2, head: 1, neuron: null };
  if (dims.length === 4) return { pos: 1, head: 2, neuron: null };
  return { pos: 1, head: null, neuron: dims.length - 1 };
}

/** The concrete shape of a hook for a batch (logits as wide as the unembedding). */
export function concreteHookShape(cfg: ModelConfig, hook: HookName, batch: number, seqLen: number, logitsWidth = cfg.d_vocab): number[] {
  if (hook === 'logits') return [batch, seqLen, logitsWidth];
  return hookDims(cfg, hook).map((d) => (d === 'batch' ? batch : typeof d === 'number' ? d : seqLen));
}

/**
 * Validates interventions and turns them into one keep/replacement pair per hook (sorted by hook name).
 * Errors name the intervention and the problem, so an API caller can fix the request.
 */
export function buildInterventionTensors(
  cfg: ModelConfig,
  interventions: Intervention[],
  batch: number,
  seqLen: number,
  logitsWidth = cfg.d_vocab,
  prebuilt?: Map<HookName, InterventionTensors>,
): Map<HookName, InterventionTensors> {
  assertKnownHooks(cfg, [...interventions.map((iv) => iv.hook), ...(prebuilt?.keys() ?? [])]);
  const out = new Map<HookName, InterventionTensors>();
  for (const [hook, t] of prebuilt ?? []) {
    const shape = concreteHookShape(cfg, hook, batch, seqLen, logitsWidth);
    const size = shape.reduce((a, b) => a * b, 1);
    if (t.shape.join() !== shape.join() || t.keep.length !== size || t.replacement.length !== size) {
      throw new Error(`patch tensors for ${hook}: shape [${t.shape.join(', ')}] (${t.keep.length} values), expected [${shape.join(', ')}]`);
    }
    // Copied only when an intervention writes into the same hook: the caller's arrays are never changed.
    out.set(hook, interventions.some((iv) => iv.hook === hook) ? { shape, keep: t.keep.slice(), replacement: t.replacement.slice() } : t);
  }
  interventions.forEach((iv, ivIndex) => {
    const where = `intervention ${ivIndex} (${iv.kind} on ${iv.hook})`;
    if (iv.kind !== 'zero' && iv.kind !== 'mean' && iv.kind !== 'patch') throw new Error(`${where}: kind must be zero, mean or patch`);
    const shape = concreteHookShape(cfg, iv.hook, batch, seqLen, logitsWidth);
    let t = out.get(iv.hook);
    if (!t) {
      const size = shape.reduce((a, b) => a * b, 1);
      t = { shape, keep: new Uint8Array(size).fill(1), replacement: new Float32Array(size) };
      out.set(iv.hook, t);
    }
    const axes = hookAxes(cfg, iv.hook);
    const pick = (field: 'head' | 'neuron', axis: number | null): number | null => {
      const v = iv[field];
      if (v === undefined) return null;
      if (axis === null) throw new Error(`${where}: ${iv.hook} has no ${field} axis`);
      if (!Number.isInteger(v) || v < 0 || v >= shape[axis]) throw new Error(`${where}: ${field} ${v} is not in 0..${shape[axis] - 1}`);
      return v;
    };
    const head = pick('head', axes.head);
    const neuron = pick('neuron', axes.neuron);
    const positions = selectIndices(iv.positions, seqLen, `${where}: position`, 'positions must be an array of position indices');
    const rows = selectIndices(iv.rows, batch, `${where}: row`, 'rows must be an array of batch row indices');
    const source = iv.kind === 'zero' ? null : broadcastSource(iv.value, shape, where, iv.kind);

    // Walk only the selected elements: per axis, the chosen indices (or all of them).
    const chosen: number[][] = shape.map((n) => Array.from({ length: n }, (_, i) => i));
    if (rows !== null) chosen[0] = rows;
    if (positions !== null) chosen[axes.pos] = positions;
    if (head !== null) chosen[axes.head!] = [head];
    if (neuron !== null) chosen[axes.neuron!] = [neuron];
    if (chosen.some((c) => c.length === 0)) return;
    const strides = shape.map((_, a) => shape.slice(a + 1).reduce((x, y) => x * y, 1));
    const counter = new Array(shape.length).fill(0);
    const index = chosen.map((c) => c[0]);
    for (;;) {
      let flat = 0;
      for (let a = 0; a < shape.length; a++) flat += index[a] * strides[a];
      t.keep[flat] = 0;
      t.replacement[flat] = source ? source(index) : 0;
      let a = shape.length - 1;
      for (; a >= 0; a--) {
        if (++counter[a] < chosen[a].length) {
          index[a] = chosen[a][counter[a]];
          break;
        }
        counter[a] = 0;
        index[a] = chosen[a][0];
      }
      if (a < 0) break;
    }
  });
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Sorted distinct indices in 0..size-1 from an optional list (null: all), or an error naming the bad one. */
function selectIndices(list: number[] | undefined, size: number, what: string, notArray: string): number[] | null {
  if (list === undefined) return null;
  if (!Array.isArray(list)) throw new Error(`${what.split(':')[0]}: ${notArray}`);
  for (const p of list) if (!Number.isInteger(p) || p < 0 || p >= size) throw new Error(`${what} ${p} is not in 0..${size - 1}`);
  return [...new Set(list)].sort((x, y) => x - y);
}

/** A reader of `value` at a multi-index of the hook's shape, NumPy-broadcast (value's shape a trailing part of it, 1s allowed). */
function broadcastSource(
  value: Tensor | number | undefined,
  shape: number[],
  where: string,
  kind: InterventionKind,
): (index: number[]) => number {
  if (value === undefined) throw new Error(`${where}: ${kind} needs a value`);
  if (typeof value === 'number') {
    if (kind === 'patch') throw new Error(`${where}: patch needs a tensor (the source run's activations), not a number`);
    if (!Number.isFinite(value)) throw new Error(`${where}: value must be finite`);
    return () => value;
  }
  const vs = value.shape;
  const offset = shape.length - vs.length;
  const fits = offset >= 0 && vs.every((d, i) => d === shape[offset + i] || d === 1);
  const size = vs.reduce((a, b) => a * b, 1);
  if (!fits || value.data.length !== size) {
    throw new Error(`${where}: value of shape [${vs.join(', ')}] does not broadcast to the hook's shape [${shape.join(', ')}]`);
  }
  const strides = vs.map((_, i) => vs.slice(i + 1).reduce((a, b) => a * b, 1));
  return (index) => {
    let flat = 0;
    for (let i = 0; i < vs.length; i++) if (vs[i] !== 1) flat += index[offset + i] * strides[i];
    return value.data[flat];
  };
}

/** The mean of a hook tensor over its batch and position axes, e.g. hook_z [batch, pos, head, d_head] → [head, d_head]. */
export function meanOverBatchAndPositions(t: Tensor): Tensor {
  if (t.shape.length < 3) throw new Error(`meanOverBatchAndPositions: expected [batch, pos, ...], got [${t.shape.join(', ')}]`);
  const rows = t.shape[0] * t.shape[1];
  const width = t.data.length / rows;
  const acc = new Float64Array(width);
  for (let r = 0; r < rows; r++) for (let i = 0; i < width; i++) acc[i] += t.data[r * width + i];
  return { shape: t.shape.slice(2), data: Float32Array.from(acc, (x) => x / rows) };
}

/** Applies one sequence's slice of the intervention tensors in place (used by the plain-TS reference forward). */
export function applyInterventionInPlace(t: InterventionTensors, sequence: number, data: Float32Array): void {
  const perSequence = t.keep.length / t.shape[0];
  if (data.length !== perSequence)
    throw new Error(`intervention: hook value has ${data.length} values per sequence, expected ${perSequence}`);
  const off = sequence * perSequence;
  for (let i = 0; i < perSequence; i++) if (!t.keep[off + i]) data[i] = t.replacement[off + i];
}
