import type { CanonicalModel, Float16Tensor, ModelConfig, Tensor } from '../models/types';
import type { HookName } from './types';
import { OnnxGraphBuilder, type Dim } from './onnx-builder';
import { assertKnownHooks, hookDims } from './hooks';
import { projectedName, projectionMatrixName } from './projections';
import { buildReductions } from './reduction-graph';
import { normName, sourceMaxName } from './reductions';
import { EdgePatchGraph } from './edge-patching-graph';
import { anyWeight, float16Bits, isMatrixWeight, weightShape, type Precision } from './float16-weights';

/**
 * Builds the ONNX graph of a CanonicalModel's forward pass, TransformerLens' HookedTransformer
 * step by step, with the requested hooks as extra graph outputs (onnxruntime can only hand back
 * graph outputs). Every tensor that carries a hook is named exactly like the hook, so a hook is
 * "requested" by marking that tensor as an output; nodes no requested output depends on are
 * pruned by the builder (a graph for `blocks.0.attn.hook_pattern` stops after layer 0's attention).
 *
 * Input: `tokens` int64 [batch, pos] (both dynamic). Layouts inside the graph:
 *  residual stream [batch, pos, d_model]; q/k/v come out of one fused MatMul as flat [batch, pos, n·d_head]
 *  (rotary works there), are hooked as TransformerLens' [batch, pos, head, d_head] (a free Reshape), and
 *  transposed once to heads-major [batch, head, pos, d_head] for the attention matmuls.
 * Grouped-query attention never repeats K/V: the n_heads/n_kv query heads that share a KV head are
 * stacked along the position axis ([batch, kv_head, group·pos, d_head]) so one MatMul serves them.
 *
 * Each block is built by its own functions (attention, MLP) from the block's input tensor, so a later
 * intervention input (per-head or per-neuron mask) slots in at hook_z / hook_post without touching the rest.
 */

export interface OnnxGraphRequest {
  hooks: HookName[];
  /**
   * Hooks that get intervention inputs (lib/engine/interventions.ts): `{hook}:keep` (bool) and `{hook}:replacement`
   * (float32), both of the hook's shape; the hook's value becomes keep ? value : replacement for every later computation.
   */
  interventions?: HookName[];
  /** Requested hooks that also get `hook · {hook}:matrix` as an output (lib/engine/projections.ts). */
  projections?: HookName[];
  /** Requested [batch, pos, units] hooks that also get per-context reductions over positions (lib/engine/reductions.ts). */
  reductions?: HookName[];
  /** Hooks (requested or not) whose L2 norm over the last axis is an output `normName(hook)`. */
  norms?: HookName[];
  /** Attention pattern hooks whose max over sources k ≥ 1 is an output `sourceMaxName(hook)`. */
  sourceMaxima?: HookName[];
  /**
   * Where the model's weights live (default `inputs`): graph inputs named like the weights, fed on every run with the
   * model's own Float32Arrays (one copy per process whatever the number of sessions, no protobuf size cap), or
   * initializers serialised into the graph (each session owns a copy; onnxruntime can prepack them; 2 GB cap).
   */
  weights?: WeightStorage;
  /** Edge patching inputs (lib/engine/edge-patching.ts): every receiver reads its own residual with removed edges. */
  edgePatching?: boolean;
  /**
   * The matrices' precision (default float32). `float16`: the matrices (`W_*`) are float16 inputs or initializers
   * (lib/engine/float16-weights.ts), each MatMul casts its float32 activation to float16 and its product back (CUDA
   * computes it in float16; the CPU provider rewrites it to a float32 MatMul over the widened weight, see
   * lib/engine/precision.ts), Gathers from W_E/W_pos cast the rows they read; norms, softmax, activations and the
   * residual sums stay float32, and every hook and output is float32 as in a float32 graph.
   */
  precision?: Precision;
}

export type WeightStorage = 'inputs' | 'initializers';

/** A serialised graph and the weight inputs a run must feed (`weights: 'inputs'`; empty with initializers). */
export interface BuiltGraph {
  bytes: Uint8Array;
  weightInputs: string[];
}

/** Graph input names of an intervened hook. */
export function interventionInputs(hook: HookName): { keep: string; replacement: string } {
  return { keep: `${hook}:keep`, replacement: `${hook}:replacement` };
}

/** Hooks whose tensor feeds nothing downstream (TransformerLens hooks it, the forward pass does not read it back). */
const NOT_INTERVENABLE_SITES = new Set(['hook_pos_embed']);

export function assertIntervenable(hooks: HookName[]): void {
  const bad = hooks.filter((h) => NOT_INTERVENABLE_SITES.has(h));
  if (bad.length > 0) {
    throw new Error(
      `cannot intervene on ${bad.join(', ')}: its value is not read by the forward pass (intervene on blocks.0.hook_resid_pre instead)`,
    );
  }
}

/** Activation functions the graph can express (TransformerLens' definitions). */
const SUPPORTED_ACT_FNS = new Set(['silu', 'gelu', 'gelu_new', 'relu', 'solu_ln']);

export function checkSupportedConfig(cfg: ModelConfig): void {
  const problems: string[] = [];
  if (cfg.n_heads % cfg.n_key_value_heads !== 0) {
    problems.push(`n_heads (${cfg.n_heads}) must be a multiple of n_key_value_heads (${cfg.n_key_value_heads})`);
  }
  if (!cfg.attn_only && (cfg.act_fn === null || !SUPPORTED_ACT_FNS.has(cfg.act_fn))) {
    problems.push(`act_fn ${cfg.act_fn} is not supported (supported: ${[...SUPPORTED_ACT_FNS].join(', ')})`);
  }
  if (!cfg.attn_only && cfg.gated_mlp && cfg.act_fn === 'solu_ln') problems.push('a gated MLP with solu_ln is not supported');
  if (cfg.positional_embedding_type === 'rotary' && (cfg.rotary_dim <= 0 || cfg.rotary_dim % 2 !== 0 || cfg.rotary_dim > cfg.d_head)) {
    problems.push(`rotary_dim ${cfg.rotary_dim} must be even and in (0, d_head=${cfg.d_head}]`);
  }
  if (problems.length > 0) throw new Error(`cannot build an ONNX graph for ${cfg.model_name}: ${problems.join('; ')}`);
}

/** Serialised ONNX model (bytes for `InferenceSession.create`) computing the requested hooks, and its weight inputs. */
export function buildOnnxModel(model: CanonicalModel, request: OnnxGraphRequest): BuiltGraph {
  const { cfg } = model;
  checkSupportedConfig(cfg);
  if (request.hooks.length === 0) throw new Error('buildOnnxModel: no hooks requested (ask at least for "logits")');
  assertKnownHooks(cfg, request.hooks);
  const intervened = [...new Set(request.interventions ?? [])].sort();
  assertKnownHooks(cfg, intervened);
  assertIntervenable(intervened);

  const ctx = new GraphContext(model, new Set(request.hooks), new Set(intervened), request.weights ?? 'inputs', request.precision);
  for (const hook of intervened) {
    const dims = hook === 'logits' ? ['batch', 'pos', logitsWidthOf(model)] : hookDims(cfg, hook).map(symbolicDim);
    const { keep, replacement } = interventionInputs(hook);
    ctx.b.intervene(hook, ctx.b.input(keep, 'bool', dims), ctx.b.input(replacement, 'float32', dims));
  }
  // Edge patching's receiver products are float32 MatMuls of their own (lib/engine/edge-patching-graph.ts).
  if (request.edgePatching && request.precision === 'float16')
    throw new Error('edge patching runs in float32: build it with precision float32');
  if (request.edgePatching) ctx.edges = edgePatchGraph(ctx, [...request.hooks, ...intervened, ...(request.norms ?? [])], intervened);
  const resid = buildEmbedding(ctx);
  ctx.edges?.embed(resid);
  let residPre = resid;
  for (let layer = 0; layer < cfg.n_layers; layer++) residPre = buildBlock(ctx, layer, residPre);
  buildUnembed(ctx, residPre);

  for (const hook of new Set(request.norms ?? [])) {
    if (hook === 'logits') throw new Error('buildOnnxModel: no norms of the logits');
    const dims = hookDims(cfg, hook).map(symbolicDim);
    ctx.b.op('ReduceL2', [hook], { axes: [dims.length - 1], keepdims: 0 }, normName(hook));
    ctx.b.output(normName(hook), 'float32', dims.slice(0, -1));
  }
  for (const hook of new Set(request.sourceMaxima ?? [])) {
    if (!hook.endsWith('attn.hook_pattern')) throw new Error(`buildOnnxModel: source maxima of ${hook}, not an attention pattern`);
    const dims = hookDims(cfg, hook).map(symbolicDim);
    const last = ctx.b.int64Constant([3]);
    const sources = ctx.b.op('Slice', [hook, ctx.b.int64Constant([1]), ctx.b.int64Constant([2 ** 31 - 1]), last]);
    ctx.b.op('ReduceMax', [sources], { axes: [3], keepdims: 0 }, sourceMaxName(hook));
    ctx.b.output(sourceMaxName(hook), 'float32', dims.slice(0, -1));
  }
  for (const hook of new Set(request.hooks)) {
    const dims = hook === 'logits' ? ['batch', 'pos', ctx.logitsWidth] : hookDims(cfg, hook).map(symbolicDim);
    ctx.b.output(hook, 'float32', dims);
  }
  for (const hook of new Set(request.projections ?? [])) {
    if (!request.hooks.includes(hook)) throw new Error(`buildOnnxModel: projection of ${hook}, which is not requested`);
    const dims = hook === 'logits' ? ['batch', 'pos', ctx.logitsWidth] : hookDims(cfg, hook).map(symbolicDim);
    const columns = `${hook}:columns`;
    const matrix = ctx.b.input(projectionMatrixName(hook), 'float32', [dims[dims.length - 1], columns]);
    ctx.b.op('MatMul', [hook, matrix], {}, projectedName(hook));
    ctx.b.output(projectedName(hook), 'float32', [...dims.slice(0, -1), columns]);
  }
  const reduced = [...new Set(request.reductions ?? [])];
  for (const hook of reduced) {
    if (!request.hooks.includes(hook)) throw new Error(`buildOnnxModel: reduction of ${hook}, which is not requested`);
    if (hook === 'logits' || hookDims(cfg, hook).length !== 3) throw new Error(`buildOnnxModel: ${hook} is not a [batch, pos, units] hook`);
  }
  if (reduced.length > 0) buildReductions(ctx.b, reduced, (hook) => hookDims(cfg, hook)[2] as number);
  return ctx.b.build();
}

function logitsWidthOf(model: CanonicalModel): number {
  return weightShape(model, 'unembed.W_U')?.[1] ?? model.cfg.d_vocab;
}

function symbolicDim(d: number | string): Dim {
  // q_pos and k_pos are both the input's pos: one name lets onnxruntime check shapes consistently.
  return d === 'q_pos' || d === 'k_pos' ? 'pos' : d;
}

/** Shared state while building one graph: the builder, the weights, the values every layer reuses. */
class GraphContext {
  readonly b = new OnnxGraphBuilder('headwiki');
  readonly cfg: ModelConfig;
  readonly tokens: string;
  /** int64 [pos]: 0..pos-1. */
  readonly positions: string;
  /** Width of the logits (W_U's columns), known once the unembedding is built. */
  logitsWidth: number;
  private readonly maskNames = new Map<number, string>();
  private readonly rotaryNames = new Map<number, { cos: string; sinSigned: string }>();
  private rotaryRowsOneHead?: { cos: string; sinSigned: string };
  private readonly weightRefs = new Map<string, string>();
  /** Set in edge-patched graphs: receivers read their own inputs (lib/engine/edge-patching-graph.ts). */
  edges?: EdgePatchGraph;
  /** Tensors of the graph that are float16 (weight refs and their reshapes), and float16 casts of activations. */
  private readonly halfTensors = new Set<string>();
  private readonly halfCasts = new Map<string, string>();

  constructor(
    readonly model: CanonicalModel,
    readonly requested: Set<HookName>,
    readonly intervened: Set<HookName> = new Set(),
    readonly storage: WeightStorage = 'inputs',
    readonly precision: Precision = 'float32',
  ) {
    this.cfg = model.cfg;
    this.logitsWidth = model.cfg.d_vocab;
    this.tokens = this.b.input('tokens', 'int64', ['batch', 'pos']);
    const seqLen = this.b.op(
      'Gather',
      [this.b.op('Shape', [this.tokens]), this.b.int64Constant([1], true)],
      { axis: 0 },
      undefined,
      'seq_len',
    );
    this.positions = this.b.op(
      'Range',
      [this.b.int64Constant([0], true), seqLen, this.b.int64Constant([1], true)],
      {},
      undefined,
      'positions',
    );
  }

  /** A required weight (float32, or 16-bit where the model keeps it so), checked against its expected shape. */
  weight(name: string, shape: number[]): Tensor | Float16Tensor {
    const t = anyWeight(this.model, name);
    if (!t) throw new Error(`${this.cfg.model_name}: weight ${name} is missing`);
    checkShape(name, t, shape);
    return t;
  }

  /** An optional weight (absent biases are zero and add no node). */
  optionalWeight(name: string, shape: number[]): Tensor | Float16Tensor | undefined {
    const t = anyWeight(this.model, name);
    if (t) checkShape(name, t, shape);
    return t;
  }

  /** A small constant tensor made for the graph (rotary tables, unit norm weights): always an initializer. */
  init(name: string, data: Float32Array, dims: number[]): string {
    return this.b.floatInitializer(name, data, dims);
  }

  /**
   * A model weight as the graph reads it, in its canonical layout (layout changes are graph nodes, which onnxruntime
   * folds away for initializers): a weight input fed with the model's own array, or an initializer.
   */
  weightRef(name: string, t: Tensor | Float16Tensor): string {
    let ref = this.weightRefs.get(name);
    if (!ref) {
      const half = this.precision === 'float16' && isMatrixWeight(name);
      if (half) {
        ref =
          this.storage === 'inputs'
            ? this.b.weightInput(name, t.shape, 'float16')
            : this.b.float16Initializer(name, float16Bits(this.model, name).data, t.shape);
        this.halfTensors.add(ref);
      } else {
        if (!(t.data instanceof Float32Array)) {
          throw new Error(`${this.cfg.model_name}: weight ${name} is kept in float16; build the graph with precision float16`);
        }
        ref = this.storage === 'inputs' ? this.b.weightInput(name, t.shape) : this.b.floatInitializer(name, t.data, t.shape);
      }
      this.weightRefs.set(name, ref);
    }
    return ref;
  }

  /** Records that `tensor` (a Reshape/Transpose/Concat of 16-bit weights) is float16; returns it. */
  markHalf(tensor: string, from: string): string {
    if (this.halfTensors.has(from)) this.halfTensors.add(tensor);
    return tensor;
  }

  /**
   * x · w, named `out` (a hook) when given. With a float16 w, x is cast to float16 (once per x), the product is
   * computed in float16 and cast back, so `out` is float32 whatever the precision.
   */
  matmul(x: string, w: string, out?: string, hint?: string): string {
    if (!this.halfTensors.has(w)) return this.b.op('MatMul', [x, w], {}, out, hint);
    let xHalf = this.halfCasts.get(x);
    if (!xHalf) this.halfCasts.set(x, (xHalf = this.b.cast(x, 'float16', undefined, `${hint ?? 'matmul'}/x_f16`)));
    const product = this.b.op('MatMul', [xHalf, w], {}, undefined, `${hint ?? 'matmul'}/f16`);
    return this.b.cast(product, 'float32', out, hint);
  }

  /** Rows of a weight matrix (embedding lookups), float32 whatever the weight's precision. */
  gatherRows(w: string, indices: string, out?: string, hint?: string): string {
    if (!this.halfTensors.has(w)) return this.b.op('Gather', [w, indices], { axis: 0 }, out, hint);
    const rows = this.b.op('Gather', [w, indices], { axis: 0 }, undefined, `${hint ?? out ?? 'rows'}/f16`);
    return this.b.cast(rows, 'float32', out, hint);
  }

  /**
   * Additive causal mask [pos, pos]: 0 where key position ≤ query position, -inf above the diagonal
   * (TransformerLens' masked scores are -inf). Adding it is much faster in onnxruntime than a broadcast Where.
   */
  causalMask(window = 0): string {
    let mask = this.maskNames.get(window);
    if (!mask) {
      const rows = this.b.op('Unsqueeze', [this.positions, this.b.int64Constant([1])], {}, undefined, 'q_positions');
      const cols = this.b.op('Unsqueeze', [this.positions, this.b.int64Constant([0])], {}, undefined, 'k_positions');
      let allowed = this.b.op('GreaterOrEqual', [rows, cols], {}, undefined, 'causal_allowed');
      // Local attention (GPT-Neo, sliding windows): also key > query - window.
      if (window > 0)
        allowed = this.b.op('And', [allowed, this.b.op('Less', [this.b.op('Sub', [rows, cols]), this.b.int64Constant([window])])]);
      mask = this.b.op('Where', [allowed, this.b.floatConstant(0), this.b.floatConstant(-Infinity)], {}, undefined, 'causal_mask');
      this.maskNames.set(window, mask);
    }
    return mask;
  }

  /**
   * Rotary tables for the current positions, [pos, nHeads·d_head], tiled over heads so that they broadcast
   * over [batch, pos, nHeads·d_head] (a trailing broadcast, fast in onnxruntime). See rotaryTables().
   */
  rotaryRows(nHeads: number): { cos: string; sinSigned: string } {
    let names = this.rotaryNames.get(nHeads);
    if (!names) {
      const tables = this.rotaryTableRows();
      // Tiled per run (pos × n·d_head values), not stored tiled: that would be n_ctx × n·d_head floats per table.
      const tile = (rows: string, name: string) =>
        this.b.op('Tile', [rows, this.b.int64Constant([1, nHeads])], {}, undefined, `${name}_${nHeads}_heads`);
      names = { cos: tile(tables.cos, 'rotary.cos'), sinSigned: tile(tables.sinSigned, 'rotary.sin_signed') };
      this.rotaryNames.set(nHeads, names);
    }
    return names;
  }

  /** The rotary tables' rows for the current positions, [pos, d_head]. */
  private rotaryTableRows(): { cos: string; sinSigned: string } {
    if (!this.rotaryRowsOneHead) {
      const { cos, sinSigned } = rotaryTables(this.cfg);
      const gatherRows = (table: Float32Array, name: string) => {
        const init = this.init(name, table, [this.cfg.n_ctx, this.cfg.d_head]);
        return this.b.op('Gather', [init, this.positions], { axis: 0 }, undefined, `${name}_rows`);
      };
      this.rotaryRowsOneHead = { cos: gatherRows(cos, 'rotary.cos'), sinSigned: gatherRows(sinSigned, 'rotary.sin_signed') };
    }
    return this.rotaryRowsOneHead;
  }

  /** Names a value as a hook that was already computed under another name (resid_pre = previous resid_post). */
  alias(hook: HookName, value: string): string {
    return this.b.op('Identity', [value], {}, hook);
  }
}

function checkShape(name: string, t: Tensor | Float16Tensor, shape: number[]): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`weight ${name} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  if (t.data.length !== size) throw new Error(`weight ${name} has ${t.data.length} values, expected ${size}`);
}

/**
 * TransformerLens' rotary tables (GPT-NeoX "rotate_half" pairing), [n_ctx, d_head] for one head:
 * angle(p, i) = p / base^(2i/rotary_dim) for i < rotary_dim/2, repeated for the second half, in float64.
 * Dimensions past rotary_dim pass through: cos 1, sin 0. The sine is signed (-sin on the first half) so that
 * rot(x) = x·cos + swapHalves(x)·sinSigned, where swapHalves(x) = [x2, x1] (rotate_half without its minus).
 */
export function rotaryTables(cfg: ModelConfig): { cos: Float32Array; sinSigned: Float32Array } {
  const { rotary_dim: rd, d_head: dh } = cfg;
  const half = rd / 2;
  const cos = new Float32Array(cfg.n_ctx * dh);
  const sinSigned = new Float32Array(cfg.n_ctx * dh);
  for (let p = 0; p < cfg.n_ctx; p++) {
    for (let i = 0; i < half; i++) {
      const angle = p / Math.pow(cfg.rotary_base, i / half);
      cos[p * dh + i] = cos[p * dh + half + i] = Math.cos(angle);
      sinSigned[p * dh + i] = -Math.sin(angle);
      sinSigned[p * dh + half + i] = Math.sin(angle);
    }
    for (let i = rd; i < dh; i++) cos[p * dh + i] = 1;
  }
  return { cos, sinSigned };
}

function buildEmbedding(ctx: GraphContext): string {
  const { b, cfg } = ctx;
  const W_E = ctx.weight('embed.W_E', [cfg.d_vocab, cfg.d_model]);
  const embed = ctx.gatherRows(ctx.weightRef('embed.W_E', W_E), ctx.tokens, 'hook_embed');
  if (cfg.positional_embedding_type !== 'standard') return ctx.alias('blocks.0.hook_resid_pre', embed);

  const W_pos = ctx.weight('pos_embed.W_pos', [cfg.n_ctx, cfg.d_model]);
  const posRows = ctx.gatherRows(ctx.weightRef('pos_embed.W_pos', W_pos), ctx.positions, undefined, 'pos_embed_rows');
  // TransformerLens hooks the positional embedding repeated over the batch; the sum broadcasts instead.
  b.op('Expand', [posRows, b.op('Shape', [embed])], {}, 'hook_pos_embed');
  return b.op('Add', [embed, posRows], {}, 'blocks.0.hook_resid_pre');
}

/** One transformer block; returns its hook_resid_post. */
function buildBlock(ctx: GraphContext, layer: number, residPre: string): string {
  const { b, cfg } = ctx;
  const p = `blocks.${layer}`;
  if (layer > 0) residPre = ctx.alias(`${p}.hook_resid_pre`, residPre);

  const { edges } = ctx;
  const proj = edges
    ? edges.attentionProjections(layer, residPre)
    : fusedProjections(ctx, `${p}.attn`, buildNorm(ctx, `${p}.ln1`, residPre, cfg.normalization_type, cfg.d_model));
  const attnOut = buildAttention(ctx, layer, proj);
  // In an edge-patched graph the last resid_post is the logits' input, with its removed edges applied.
  const edgesAtEnd = edges && layer === cfg.n_layers - 1;
  const residPost = (value: string[]) => {
    if (!edgesAtEnd) return b.op('Add', value, {}, `${p}.hook_resid_post`);
    return edges.logitsInput(b.op('Add', value, {}, undefined, `${p}/resid_post_unpatched`), `${p}.hook_resid_post`);
  };
  const mlpIn = (resid: string) =>
    buildMlp(ctx, layer, buildNorm(ctx, `${p}.ln2`, edges ? edges.mlpInput(layer, resid) : resid, cfg.normalization_type, cfg.d_model));
  if (cfg.attn_only) return residPost([residPre, attnOut]);
  if (cfg.parallel_attn_mlp) {
    const mlpOut = mlpIn(residPre);
    edges?.mlp(layer, mlpOut);
    return residPost([b.op('Add', [residPre, attnOut]), mlpOut]);
  }
  const residMid = b.op('Add', [residPre, attnOut], {}, `${p}.hook_resid_mid`);
  const mlpOut = mlpIn(residMid);
  edges?.mlp(layer, mlpOut);
  return residPost([residMid, mlpOut]);
}

/** The edge graph of a request, after checking that the request does not read what edge patching replaces. */
function edgePatchGraph(ctx: GraphContext, hooks: HookName[], intervened: HookName[]): EdgePatchGraph {
  const perReceiver = hooks.filter((h) => /^blocks\.\d+\.ln1\./.test(h));
  if (perReceiver.length > 0) throw new Error(`edge patching: ${perReceiver.join(', ')} do not exist (every receiver has its own ln1)`);
  const results = intervened.filter((h) => h.endsWith('attn.hook_result'));
  if (results.length > 0) throw new Error(`edge patching: ${results.join(', ')} cannot be intervened (senders are z·W_O)`);
  const { b, cfg } = ctx;
  return new EdgePatchGraph({
    b,
    cfg,
    norm: (prefix, x) => buildNorm(ctx, prefix, x, cfg.normalization_type, cfg.d_model),
    weight: (name, shape) => ctx.weightRef(name, ctx.weight(name, shape)),
    optionalWeight: (name, shape) => {
      const t = ctx.optionalWeight(name, shape);
      return t ? ctx.weightRef(name, t) : null;
    },
    zeros: (name, dims) => ctx.init(name, new Float32Array(dims.reduce((a, c) => a * c, 1)), dims),
  });
}

/**
 * LayerNorm or RMSNorm over the last axis (`size` wide) with the weights `{prefix}.w` / `{prefix}.b`,
 * hooked as TransformerLens does: `{prefix}.hook_scale` = sqrt(mean((x - mean)²) + eps) [batch, pos, 1], and
 * `{prefix}.hook_normalized` after scale and bias for LayerNorm, before the weight for RMSNorm.
 * `weightsRequired: false` is for SoLU's inner LayerNorm, which may have no weights.
 */
function buildNorm(
  ctx: GraphContext,
  prefix: string,
  x: string,
  normalization: ModelConfig['normalization_type'],
  size: number,
  weightsRequired = true,
): string {
  const { b, cfg } = ctx;
  if (normalization === null) return x;
  // LNPre / RMSPre (TransformerLens after fold_ln): the same norm with its weights folded away; none are read.
  const folded = normalization === 'LNPre' || normalization === 'RMSPre';
  const kind = normalization === 'LNPre' || normalization === 'LN' ? 'LN' : 'RMS';
  const w = folded ? undefined : weightsRequired ? ctx.weight(`${prefix}.w`, [size]) : ctx.optionalWeight(`${prefix}.w`, [size]);
  const bias = kind === 'LN' && !folded ? ctx.optionalWeight(`${prefix}.b`, [size]) : undefined;
  const scaleHook = `${prefix}.hook_scale`;
  const normalizedHook = `${prefix}.hook_normalized`;
  const eps = b.floatConstant(cfg.eps);

  if (kind === 'LN' && !ctx.intervened.has(scaleHook) && !ctx.intervened.has(normalizedHook)) {
    // The fused operator. When the scale is wanted it comes from the operator's optional InvStdDev output: measured
    // on a Pythia-70m-shaped model, the unfused LayerNorm made an all-hooks forward ~25% slower than logits only.
    const wRef = w ? ctx.weightRef(`${prefix}.w`, w) : ctx.init(`${prefix}.w`, new Float32Array(size).fill(1), [size]);
    const bRef = bias ? ctx.weightRef(`${prefix}.b`, bias) : ctx.init(`${prefix}.b`, new Float32Array(size), [size]);
    const inputs = [x, wRef, bRef];
    const attrs = { axis: -1, epsilon: { float: cfg.eps } };
    if (!ctx.requested.has(scaleHook)) return b.op('LayerNormalization', inputs, attrs, normalizedHook);
    const [normalized, , invStd] = b.multiOp(
      'LayerNormalization',
      inputs,
      [b.claimName(normalizedHook), b.name(`${prefix}/mean`), b.name(`${prefix}/inv_std`)],
      attrs,
    );
    b.op('Reciprocal', [invStd], {}, scaleHook);
    return normalized;
  }

  const centred =
    kind === 'LN'
      ? b.op(
          'Sub',
          [x, b.op('ReduceMean', [x], { axes: [-1], keepdims: 1 }, undefined, `${prefix}/mean`)],
          {},
          undefined,
          `${prefix}/centred`,
        )
      : x;
  const meanSquare = b.op(
    'ReduceMean',
    [b.op('Mul', [centred, centred], {}, undefined, `${prefix}/square`)],
    { axes: [-1], keepdims: 1 },
    undefined,
    `${prefix}/mean_square`,
  );
  const scale = b.op('Sqrt', [b.op('Add', [meanSquare, eps], {}, undefined, `${prefix}/variance_eps`)], {}, scaleHook);
  const normalized = b.op('Div', [centred, scale], {}, kind === 'RMS' ? normalizedHook : undefined, `${prefix}/normalized`);
  const last = kind === 'LN' && !bias ? normalizedHook : undefined;
  let out = w ? b.op('Mul', [normalized, ctx.weightRef(`${prefix}.w`, w)], {}, last, `${prefix}/scaled`) : normalized;
  if (kind === 'LN') {
    if (bias) out = b.op('Add', [out, ctx.weightRef(`${prefix}.b`, bias)], {}, normalizedHook);
    else if (!w) out = b.op('Identity', [out], {}, normalizedHook);
  }
  return out;
}

/**
 * All of a layer's query/key/value projections in one MatMul, x [batch, pos, d_model] @ [d_model, (H + 2·Hkv)·d_head],
 * split into flat [batch, pos, n·d_head] pieces (one GEMM is faster than three thin ones). The fused matrix is made
 * in the graph from the canonical [n, d_model, d_head] weights (Concat, Transpose, Reshape): folded once into a
 * constant for initializers, a per-run copy for weight inputs (no second copy of the weights kept).
 */
function fusedProjections(ctx: GraphContext, p: string, x: string): { q: string; k: string; v: string } {
  const { b, cfg } = ctx;
  const { n_heads: H, n_key_value_heads: Hkv, d_head: dh, d_model: D } = cfg;
  const parts = [
    { which: 'Q', n: H },
    { which: 'K', n: Hkv },
    { which: 'V', n: Hkv },
  ];
  const widths = parts.map((part) => part.n * dh);
  const N = widths.reduce((a, c) => a + c, 0);
  const refs = parts.map((part) => ctx.weightRef(`${p}.W_${part.which}`, ctx.weight(`${p}.W_${part.which}`, [part.n, D, dh])));
  const stacked = ctx.markHalf(b.op('Concat', refs, { axis: 0 }, undefined, `${p}/W_QKV_heads`), refs[0]); // [H + 2·Hkv, D, dh]
  const columns = ctx.markHalf(b.op('Transpose', [stacked], { perm: [1, 0, 2] }, undefined, `${p}/W_QKV_columns`), stacked); // [D, H + 2·Hkv, dh]
  const W = ctx.markHalf(b.op('Reshape', [columns, b.int64Constant([D, N])], {}, undefined, `${p}/W_QKV`), columns);
  const biases = parts.map((part) => ctx.optionalWeight(`${p}.b_${part.which}`, [part.n, dh]));
  let all = ctx.matmul(x, W, undefined, `${p}/qkv`);
  if (biases.some((t) => t)) {
    const pieces = parts.map((part, i) => {
      const t = biases[i];
      return t
        ? ctx.weightRef(`${p}.b_${part.which}`, t)
        : ctx.init(`${p}.b_${part.which}/zeros`, new Float32Array(part.n * dh), [part.n, dh]);
    });
    const bias = b.op(
      'Reshape',
      [b.op('Concat', pieces, { axis: 0 }, undefined, `${p}/b_QKV_heads`), b.int64Constant([N])],
      {},
      undefined,
      `${p}/b_QKV`,
    );
    all = b.op('Add', [all, bias], {}, undefined, `${p}/qkv_biased`);
  }
  const [q, k, v] = b.multiOp(
    'Split',
    [all, b.int64Constant(widths)],
    ['q', 'k', 'v'].map((n) => b.name(`${p}/${n}_flat`)),
    { axis: -1 },
  );
  return { q, k, v };
}

/** [batch, pos, n, d_head] → flat [batch, pos, n·d_head]. */
function mergeHeads(ctx: GraphContext, heads: string): string {
  return ctx.b.op('Reshape', [heads, ctx.b.int64Constant([0, 0, -1])], {}, undefined, 'merged_heads');
}

/** Flat [batch, pos, n·d_head] → TransformerLens' [batch, pos, n, d_head] (free: a Reshape). */
function splitHeads(ctx: GraphContext, flat: string, nHeads: number, name?: string, hint?: string): string {
  return ctx.b.op('Reshape', [flat, ctx.b.int64Constant([0, 0, nHeads, ctx.cfg.d_head])], {}, name, hint);
}

/**
 * Rotary on flat [batch, pos, n·d_head]: x·cos + swapHalves(x)·sinSigned, where swapHalves exchanges the two
 * rotary halves of every head ([x2, x1, pass]); the multiplies broadcast the tiled tables over the batch only.
 */
function applyRotary(ctx: GraphContext, flat: string, nHeads: number, hint: string): string {
  const { b, cfg } = ctx;
  const { rotary_dim: rd, d_head: dh } = cfg;
  const half = rd / 2;
  const heads = splitHeads(ctx, flat, nHeads, undefined, `${hint}_heads`);
  const slice = (from: number, to: number) =>
    b.op('Slice', [heads, b.int64Constant([from]), b.int64Constant([to]), b.int64Constant([3])], {}, undefined, `${hint}_slice`);
  const pieces = [slice(half, rd), slice(0, half)];
  if (rd < dh) pieces.push(slice(rd, dh));
  const swapped = b.op(
    'Reshape',
    [b.op('Concat', pieces, { axis: 3 }, undefined, `${hint}_swapped_heads`), b.int64Constant([0, 0, nHeads * dh])],
    {},
    undefined,
    `${hint}_swapped`,
  );
  const { cos, sinSigned } = ctx.rotaryRows(nHeads);
  return b.op(
    'Add',
    [b.op('Mul', [flat, cos], {}, undefined, `${hint}_cos`), b.op('Mul', [swapped, sinSigned], {}, undefined, `${hint}_sin`)],
    {},
    undefined,
    hint,
  );
}

/** Multi-head (or grouped-query) causal self-attention; returns hook_attn_out. */
function buildAttention(ctx: GraphContext, layer: number, proj: { q: string; k: string; v: string }): string {
  const { b, cfg } = ctx;
  const p = `blocks.${layer}.attn`;
  const H = cfg.n_heads;
  const Hkv = cfg.n_key_value_heads;
  const group = H / Hkv;
  const dh = cfg.d_head;

  // The q/k hooks are side views of the flat projections; an intervened one is read back instead.
  const readBack = (hookValue: string, flat: string, hook: string) => (ctx.intervened.has(hook) ? mergeHeads(ctx, hookValue) : flat);
  let qFlat = readBack(splitHeads(ctx, proj.q, H, `${p}.hook_q`), proj.q, `${p}.hook_q`);
  let kFlat = readBack(splitHeads(ctx, proj.k, Hkv, `${p}.hook_k`), proj.k, `${p}.hook_k`);
  const v = splitHeads(ctx, proj.v, Hkv, `${p}.hook_v`);
  if (cfg.positional_embedding_type === 'rotary') {
    qFlat = applyRotary(ctx, qFlat, H, `${p}/rot_q`);
    kFlat = applyRotary(ctx, kFlat, Hkv, `${p}/rot_k`);
    qFlat = readBack(splitHeads(ctx, qFlat, H, `${p}.hook_rot_q`), qFlat, `${p}.hook_rot_q`);
    kFlat = readBack(splitHeads(ctx, kFlat, Hkv, `${p}.hook_rot_k`), kFlat, `${p}.hook_rot_k`);
  }
  const q = splitHeads(ctx, qFlat, H, undefined, `${p}/q_for_scores`);
  const k = splitHeads(ctx, kFlat, Hkv, undefined, `${p}/k_for_scores`);

  // Scaling q (pos·d_head values) instead of the scores (pos·pos) is cheaper and equal up to rounding.
  const qScaled = cfg.use_attn_scale === false ? q : b.op('Mul', [q, b.floatConstant(1 / Math.sqrt(dh))], {}, undefined, `${p}/q_scaled`);
  let qHeads = b.op('Transpose', [qScaled], { perm: [0, 2, 1, 3] }, undefined, `${p}/q_heads`); // [batch, head, pos, d_head]
  const kT = b.op('Transpose', [k], { perm: [0, 2, 3, 1] }, undefined, `${p}/k_transposed`); // [batch, kv_head, d_head, pos]
  const vHeads = b.op('Transpose', [v], { perm: [0, 2, 1, 3] }, undefined, `${p}/v_heads`); // [batch, kv_head, pos, d_head]
  // GQA: query head h uses kv head floor(h / group); stacking each group's queries along pos lets one MatMul serve it.
  if (group > 1) qHeads = b.op('Reshape', [qHeads, b.int64Constant([0, Hkv, -1, dh])], {}, undefined, `${p}/q_grouped`);
  let rawScores = b.op('MatMul', [qHeads, kT], {}, undefined, `${p}/raw_scores`);
  if (group > 1) rawScores = b.op('Reshape', [rawScores, b.int64Constant([0, H, -1, 0])], {}, undefined, `${p}/raw_scores_heads`);

  // TransformerLens masks with -inf before hook_attn_scores.
  const window = cfg.attn_types?.[layer] === 'local' ? (cfg.window_size ?? 0) : 0;
  const scores = b.op('Add', [rawScores, ctx.causalMask(window)], {}, `${p}.hook_attn_scores`);
  const pattern = b.op('Softmax', [scores], { axis: -1 }, `${p}.hook_pattern`);

  const patternGrouped =
    group > 1 ? b.op('Reshape', [pattern, b.int64Constant([0, Hkv, -1, 0])], {}, undefined, `${p}/pattern_grouped`) : pattern;
  let zHeads = b.op('MatMul', [patternGrouped, vHeads], {}, undefined, `${p}/z_heads`);
  if (group > 1) zHeads = b.op('Reshape', [zHeads, b.int64Constant([0, H, -1, dh])], {}, undefined, `${p}/z_heads_ungrouped`);
  const z = b.op('Transpose', [zHeads], { perm: [0, 2, 1, 3] }, `${p}.hook_z`); // [batch, pos, head, d_head]

  const W_O = ctx.weight(`${p}.W_O`, [H, dh, cfg.d_model]);
  const W_O_heads = ctx.weightRef(`${p}.W_O`, W_O); // [head, d_head, d_model]
  const b_O = ctx.optionalWeight(`${p}.b_O`, [cfg.d_model]);
  // Per-head outputs (without b_O, as TransformerLens): [batch, head, pos, d_head] @ [head, d_head, d_model].
  // With hook_z intervened, hook_z (not zHeads) is what the heads output.
  const W_O_flat = ctx.markHalf(
    b.op('Reshape', [W_O_heads, b.int64Constant([H * dh, cfg.d_model])], {}, undefined, `${p}/W_O_flat`),
    W_O_heads,
  );
  const zForResult = ctx.intervened.has(`${p}.hook_z`)
    ? b.op('Transpose', [z], { perm: [0, 2, 1, 3] }, undefined, `${p}/z_heads_intervened`)
    : zHeads;
  ctx.edges?.heads(layer, zForResult, W_O_heads);
  const resultHeads = ctx.matmul(zForResult, W_O_heads, undefined, `${p}/result_heads`);
  const result = b.op('Transpose', [resultHeads], { perm: [0, 2, 1, 3] }, `${p}.hook_result`);

  const outHook = `blocks.${layer}.hook_attn_out`;
  // Normally one MatMul over all heads; an intervened hook_result is summed over heads instead (the same sum).
  let out = ctx.intervened.has(`${p}.hook_result`)
    ? b.op('ReduceSum', [result, b.int64Constant([2])], { keepdims: 0 }, b_O ? undefined : outHook, `${p}/out`)
    : ctx.matmul(
        b.op('Reshape', [z, b.int64Constant([0, 0, H * dh])], {}, undefined, `${p}/z_flat`),
        W_O_flat,
        b_O ? undefined : outHook,
        `${p}/out`,
      );
  if (b_O) out = b.op('Add', [out, ctx.weightRef(`${p}.b_O`, b_O)], {}, outHook);
  return out;
}

/** TransformerLens' activation functions, elementwise; the result is named `out`. */
function activation(ctx: GraphContext, x: string, hint: string, out: string): string {
  const { b, cfg } = ctx;
  const op = (type: string, inputs: string[], name?: string) => b.op(type, inputs, {}, name, hint);
  const c = (v: number) => b.floatConstant(v);
  switch (cfg.act_fn) {
    case 'relu':
      return op('Relu', [x], out);
    case 'silu':
      return op('Mul', [x, op('Sigmoid', [x])], out);
    case 'gelu': // 0.5·x·(1 + erf(x/√2))
      return op('Mul', [op('Mul', [x, c(0.5)]), op('Add', [op('Erf', [op('Mul', [x, c(Math.SQRT1_2)])]), c(1)])], out);
    case 'gelu_new': {
      // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
      const cube = op('Mul', [op('Mul', [x, x]), x]);
      const inner = op('Mul', [op('Add', [x, op('Mul', [cube, c(0.044715)])]), c(Math.sqrt(2 / Math.PI))]);
      return op('Mul', [op('Mul', [x, c(0.5)]), op('Add', [op('Tanh', [inner]), c(1)])], out);
    }
    default:
      throw new Error(`act_fn ${cfg.act_fn} is not supported by the ONNX engine`);
  }
}

/**
 * TransformerLens' MLPs; returns hook_mlp_out.
 *  plain:  post = act(x W_in + b_in)
 *  SoLU:   mid = pre · softmax(pre), post = LayerNorm(mid) with `mlp.ln` weights when present
 *  gated:  pre = x W_gate, pre_linear = x W_in, post = act(pre) · pre_linear + b_in (TransformerLens adds b_in last)
 */
function buildMlp(ctx: GraphContext, layer: number, x: string): string {
  const { b, cfg } = ctx;
  const p = `blocks.${layer}.mlp`;
  const W_in = ctx.weight(`${p}.W_in`, [cfg.d_model, cfg.d_mlp]);
  const b_in = ctx.optionalWeight(`${p}.b_in`, [cfg.d_mlp]);
  const W_in_init = ctx.weightRef(`${p}.W_in`, W_in);
  const addBiasIn = (value: string, hook: string) => b.op('Add', [value, ctx.weightRef(`${p}.b_in`, b_in!)], {}, hook);
  let post: string;
  if (cfg.gated_mlp) {
    const W_gate = ctx.weight(`${p}.W_gate`, [cfg.d_model, cfg.d_mlp]);
    const pre = ctx.matmul(x, ctx.weightRef(`${p}.W_gate`, W_gate), `${p}.hook_pre`);
    const preLinear = ctx.matmul(x, W_in_init, `${p}.hook_pre_linear`);
    const product = b.op(
      'Mul',
      [activation(ctx, pre, `${p}/act`, `${p}/act_gate`), preLinear],
      {},
      b_in ? undefined : `${p}.hook_post`,
      `${p}/gated`,
    );
    post = b_in ? addBiasIn(product, `${p}.hook_post`) : product;
  } else {
    const mm = ctx.matmul(x, W_in_init, b_in ? undefined : `${p}.hook_pre`, `${p}/in`);
    const pre = b_in ? addBiasIn(mm, `${p}.hook_pre`) : mm;
    if (cfg.act_fn === 'solu_ln') {
      const mid = b.op('Mul', [pre, b.op('Softmax', [pre], { axis: -1 }, undefined, `${p}/softmax`)], {}, `${p}.hook_mid`);
      post = b.op('Identity', [buildNorm(ctx, `${p}.ln`, mid, 'LN', cfg.d_mlp, false)], {}, `${p}.hook_post`);
    } else {
      post = activation(ctx, pre, `${p}/act`, `${p}.hook_post`);
    }
  }
  const W_out = ctx.weight(`${p}.W_out`, [cfg.d_mlp, cfg.d_model]);
  const b_out = ctx.optionalWeight(`${p}.b_out`, [cfg.d_model]);
  const hook = `blocks.${layer}.hook_mlp_out`;
  const mm = ctx.matmul(post, ctx.weightRef(`${p}.W_out`, W_out), b_out ? undefined : hook, `${p}/out`);
  return b_out ? b.op('Add', [mm, ctx.weightRef(`${p}.b_out`, b_out)], {}, hook) : mm;
}

function buildUnembed(ctx: GraphContext, residFinal: string): void {
  const { b, cfg } = ctx;
  const x = buildNorm(ctx, 'ln_final', residFinal, cfg.normalization_type, cfg.d_model);
  // The unembedding may be wider than d_vocab (padded vocabularies); logits are as wide as W_U.
  const width = logitsWidthOf(ctx.model);
  const W_UChecked = ctx.weight('unembed.W_U', [cfg.d_model, width]);
  const b_U = ctx.optionalWeight('unembed.b_U', [width]);
  ctx.logitsWidth = width;
  const mm = ctx.matmul(x, ctx.weightRef('unembed.W_U', W_UChecked), b_U ? undefined : 'logits', 'unembed');
  if (b_U) b.op('Add', [mm, ctx.weightRef('unembed.b_U', b_U)], {}, 'logits');
}
