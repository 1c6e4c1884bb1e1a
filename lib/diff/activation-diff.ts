import type { ModelConfig, WeightMap } from '../models/types';
import { normCentres } from '../models/types';
import type { ActivationCache, ForwardRunner, HookName } from '../engine/types';
import { runInBatches } from '../engine/batches';
import { ExactSums } from '../metrics/streaming/exact-sum';
import type {
  ActivationDiffEntry,
  ActivationDiffRanking,
  ActivationSite,
  CorpusShard,
  DiffModel,
  DiffOptions,
  DlaDiff,
  DlaDiffEntry,
  DlaTextDiff,
  WhiteBoxPartial,
} from './types';
import { DIFF_FORMAT_VERSION } from './types';
import { assertSameArchitecture, diffModelInfo, resolveDiffOptions } from './model';
import { TopK } from './top-k';

/**
 * The white box's corpus pass (open problems 6.56, 6.57): both models run on the same windows (A's tokenizer; the
 * vocabularies are the same), and at every position the difference of their activations is measured per head
 * output (hook_result, L2 norm), per head attention pattern (total variation), per neuron (mlp.hook_post) and per
 * layer output, together with each model's direct logit attribution of every head and layer to the correct next
 * token. Per window the sums are float64, then added exactly (ExactSums), so shards merge to the same bits.
 */

/** Per-site unit counts: layer-major. */
function siteUnits(cfg: ModelConfig): Record<ActivationSite, number> {
  const L = cfg.n_layers;
  return {
    'attn.hook_result': L * cfg.n_heads,
    'attn.hook_pattern': L * cfg.n_heads,
    'mlp.hook_post': cfg.attn_only ? 0 : L * cfg.d_mlp,
    hook_attn_out: L,
    hook_mlp_out: cfg.attn_only ? 0 : L,
    hook_resid_post: L,
  };
}

const SITES: ActivationSite[] = [
  'attn.hook_result',
  'attn.hook_pattern',
  'mlp.hook_post',
  'hook_attn_out',
  'hook_mlp_out',
  'hook_resid_post',
];

/** DLA units per layer: heads, then the attention output, then the MLP output. */
const dlaUnitsPerLayer = (cfg: ModelConfig) => cfg.n_heads + 1 + (cfg.attn_only ? 0 : 1);

/** The hooks the white-box pass fetches from each model. */
export function whiteBoxHooks(cfg: ModelConfig): HookName[] {
  const hooks: HookName[] = [];
  for (let l = 0; l < cfg.n_layers; l++) {
    for (const site of SITES) if (siteUnits(cfg)[site] > 0) hooks.push(`blocks.${l}.${site}`);
  }
  if (cfg.normalization_type !== null) hooks.push('ln_final.hook_scale');
  return hooks;
}

/** Bytes of float32 hooks the pass holds per window of both models (head outputs and patterns dominate). */
export function whiteBoxBytesPerWindow(cfg: ModelConfig, contextLength: number): number {
  const perLayer = cfg.n_heads * (cfg.d_model + contextLength) + 3 * cfg.d_model + (cfg.attn_only ? 0 : cfg.d_mlp);
  return 2 * 4 * contextLength * cfg.n_layers * perLayer;
}

/** Hook memory a white-box batch may hold (both models). */
export const WHITE_BOX_BATCH_BYTES = 1 << 30;

/**
 * The batch the white-box pass runs: the asked batch size, lowered so both models' hooks stay within
 * WHITE_BOX_BATCH_BYTES (every layer's head outputs are fetched at once: GPT-2 small: ~0.2 GB per window of 128 tokens).
 * A function of the options and the config only, so every shard batches alike.
 */
export function whiteBoxBatchSize(cfg: ModelConfig, asked: number, contextLength: number): number {
  return Math.max(1, Math.min(asked, Math.floor(WHITE_BOX_BATCH_BYTES / whiteBoxBytesPerWindow(cfg, contextLength))));
}

/** Runs A and B on the same batch: one cache with `a:` / `b:` prefixed hook names. */
function pairRunner(a: ForwardRunner, b: ForwardRunner): ForwardRunner {
  return {
    async run(tokens, hooks) {
      const out: ActivationCache = new Map();
      for (const [prefix, runner] of [['a:', a] as const, ['b:', b] as const]) {
        for (const [k, v] of await runner.run(tokens, hooks)) out.set(prefix + k, v);
      }
      return out;
    },
  };
}

export async function computeWhiteBoxPartial(
  a: DiffModel,
  b: DiffModel,
  shard: CorpusShard,
  opts: Partial<DiffOptions> = {},
): Promise<WhiteBoxPartial> {
  assertSameArchitecture(a, b);
  const options = resolveDiffOptions(opts);
  const cfg = a.model.cfg;
  const units = siteUnits(cfg);
  const sums = Object.fromEntries(
    SITES.map((s) => [
      s,
      { diff: new ExactSums(units[s]), normA: new ExactSums(units[s]), normB: new ExactSums(units[s]), nonZero: new Uint8Array(units[s]) },
    ]),
  ) as Record<ActivationSite, { diff: ExactSums; normA: ExactSums; normB: ExactSums; nonZero: Uint8Array }>;
  const dlaCount = cfg.n_layers * dlaUnitsPerLayer(cfg);
  const dla = { a: new ExactSums(dlaCount), b: new ExactSums(dlaCount) };
  const documents = shard.documents.map((t) => a.tokenizer.encode(String(t).slice(0, options.maxDocumentChars)));
  const contextLength = Math.min(options.contextLength, cfg.n_ctx);
  let positions = 0;
  let dlaPositions = 0;
  // Per document of the shard: each model's DLA sums, for the texts where DLA differs most.
  const perDocument = new Map<number, { a: Float64Array; b: Float64Array; positions: number }>();
  const batches = runInBatches(pairRunner(a.runner, b.runner), documents, {
    batchSize: whiteBoxBatchSize(cfg, options.batchSize, contextLength),
    contextLength,
    padId: a.tokenizer.bosId,
    bos: a.tokenizer.bosId,
    hooks: whiteBoxHooks(cfg),
  });
  for await (const { windows, seqLen, cache } of batches) {
    windows.forEach((w, row) => {
      const n = w.tokens.length;
      positions += n;
      dlaPositions += n - 1;
      for (const site of SITES) if (units[site] > 0) accumulateSite(site, cfg, cache, row, seqLen, n, sums[site]);
      let doc = perDocument.get(w.document);
      if (!doc) perDocument.set(w.document, (doc = { a: new Float64Array(dlaCount), b: new Float64Array(dlaCount), positions: 0 }));
      doc.positions += n - 1;
      accumulateDla(cfg, a.model.weights, cache, 'a:', row, seqLen, w.tokens, dla.a, doc.a);
      accumulateDla(cfg, b.model.weights, cache, 'b:', row, seqLen, w.tokens, dla.b, doc.b);
    });
  }
  return {
    kind: 'white-box-partial',
    formatVersion: DIFF_FORMAT_VERSION,
    a: diffModelInfo(a),
    b: diffModelInfo(b),
    options,
    documents: shard.documents.length === 0 ? [] : [{ first: shard.firstDocument, count: shard.documents.length }],
    positions,
    dlaPositions,
    activation: Object.fromEntries(
      SITES.map((s) => [
        s,
        { diff: sums[s].diff.toJSON(), normA: sums[s].normA.toJSON(), normB: sums[s].normB.toJSON(), nonZero: [...sums[s].nonZero] },
      ]),
    ) as WhiteBoxPartial['activation'],
    dla: { a: dla.a.toJSON(), b: dla.b.toJSON() },
    dlaTexts: documentDlaTexts(cfg, perDocument, shard, options.topK),
  };
}

/** Adds one window's (row's first n positions) differences of a site, per unit: float64 over the window, then exactly. */
function accumulateSite(
  site: ActivationSite,
  cfg: ModelConfig,
  cache: ActivationCache,
  row: number,
  seqLen: number,
  n: number,
  into: { diff: ExactSums; normA: ExactSums; normB: ExactSums; nonZero: Uint8Array },
): void {
  const perLayer = site === 'attn.hook_result' || site === 'attn.hook_pattern' ? cfg.n_heads : site === 'mlp.hook_post' ? cfg.d_mlp : 1;
  const diff = new Float64Array(perLayer);
  const na = new Float64Array(perLayer);
  const nb = new Float64Array(perLayer);
  for (let l = 0; l < cfg.n_layers; l++) {
    const ta = cache.get(`a:blocks.${l}.${site}`)!.data;
    const tb = cache.get(`b:blocks.${l}.${site}`)!.data;
    diff.fill(0);
    na.fill(0);
    nb.fill(0);
    if (site === 'attn.hook_pattern') {
      // [batch, head, q, k]: total variation per query row.
      for (let h = 0; h < perLayer; h++) {
        for (let q = 0; q < n; q++) {
          const base = ((row * perLayer + h) * seqLen + q) * seqLen;
          let tv = 0;
          for (let k = 0; k <= q; k++) tv += Math.abs(tb[base + k] - ta[base + k]);
          diff[h] += tv / 2;
        }
        na[h] = n;
        nb[h] = n;
      }
    } else if (site === 'mlp.hook_post') {
      for (let p = 0; p < n; p++) {
        const base = (row * seqLen + p) * perLayer;
        for (let u = 0; u < perLayer; u++) {
          const x = ta[base + u];
          const y = tb[base + u];
          diff[u] += Math.abs(y - x);
          na[u] += Math.abs(x);
          nb[u] += Math.abs(y);
        }
      }
    } else {
      // [batch, pos, (head,) d_model]: the L2 norm of each unit's vector.
      const d = cfg.d_model;
      for (let p = 0; p < n; p++) {
        for (let u = 0; u < perLayer; u++) {
          const base = ((row * seqLen + p) * perLayer + u) * d;
          let dd = 0;
          let aa = 0;
          let bb = 0;
          for (let i = base; i < base + d; i++) {
            const x = ta[i];
            const y = tb[i];
            dd += (y - x) * (y - x);
            aa += x * x;
            bb += y * y;
          }
          diff[u] += Math.sqrt(dd);
          na[u] += Math.sqrt(aa);
          nb[u] += Math.sqrt(bb);
        }
      }
    }
    for (let u = 0; u < perLayer; u++) {
      const unit = l * perLayer + u;
      into.diff.add(unit, diff[u]);
      into.normA.add(unit, na[u]);
      into.normB.add(unit, nb[u]);
      if (diff[u] !== 0) into.nonZero[unit] = 1;
    }
  }
}

/**
 * One model's direct logit attribution to the correct next token for one window, per head and per layer output,
 * summed over its positions: the output dotted with W_U[:, next token] through the final norm linearised at that
 * position (÷ ln_final.hook_scale, × ln_final.w if unfolded, centred for LayerNorm), as lib/metrics/heads/direct-logit-attribution.ts.
 */
function accumulateDla(
  cfg: ModelConfig,
  weights: WeightMap,
  cache: ActivationCache,
  prefix: string,
  row: number,
  seqLen: number,
  tokens: number[],
  into: ExactSums,
  document: Float64Array,
): void {
  const { n_layers: L, n_heads: H, d_model: d } = cfg;
  const WU = weights.get('unembed.W_U')!;
  const uCols = WU.shape[1];
  const wFinal = weights.get('ln_final.w')?.data;
  const scale = cache.get(`${prefix}ln_final.hook_scale`)?.data;
  const per = dlaUnitsPerLayer(cfg);
  const sums = new Float64Array(L * per);
  const column = new Float64Array(d);
  for (let p = 0; p + 1 < tokens.length; p++) {
    const target = tokens[p + 1];
    const s = scale ? scale[row * seqLen + p] : 1;
    for (let i = 0; i < d; i++) column[i] = (WU.data[i * uCols + target] * (wFinal ? wFinal[i] : 1)) / s;
    if (normCentres(cfg)) {
      let mean = 0;
      for (let i = 0; i < d; i++) mean += column[i];
      mean /= d;
      for (let i = 0; i < d; i++) column[i] -= mean;
    }
    for (let l = 0; l < L; l++) {
      const result = cache.get(`${prefix}blocks.${l}.attn.hook_result`)!.data;
      for (let h = 0; h < H; h++) sums[l * per + h] += dot(result, ((row * seqLen + p) * H + h) * d, column, d);
      sums[l * per + H] += dot(cache.get(`${prefix}blocks.${l}.hook_attn_out`)!.data, (row * seqLen + p) * d, column, d);
      if (!cfg.attn_only)
        sums[l * per + H + 1] += dot(cache.get(`${prefix}blocks.${l}.hook_mlp_out`)!.data, (row * seqLen + p) * d, column, d);
    }
  }
  sums.forEach((v, i) => {
    into.add(i, v);
    document[i] += v;
  });
}

const byTextDiff = (x: DlaTextDiff, y: DlaTextDiff) => Math.abs(y.diff) - Math.abs(x.diff) || x.document - y.document;

/** DLA entry of unit u (layer-major: heads, attn, mlp). */
function dlaEntry(cfg: ModelConfig, u: number, dlaA: number, dlaB: number): DlaDiffEntry {
  const per = dlaUnitsPerLayer(cfg);
  const k = u % per;
  const H = cfg.n_heads;
  return {
    component: k < H ? 'head' : k === H ? 'attn' : 'mlp',
    layer: Math.floor(u / per),
    head: k < H ? k : null,
    dlaA,
    dlaB,
    diff: dlaB - dlaA,
  };
}

function documentDlaTexts(
  cfg: ModelConfig,
  perDocument: Map<number, { a: Float64Array; b: Float64Array; positions: number }>,
  shard: CorpusShard,
  topK: number,
): DlaTextDiff[] {
  const top = new TopK<DlaTextDiff>(topK, byTextDiff);
  for (const [i, doc] of perDocument) {
    if (doc.positions === 0) continue;
    let best = 0;
    for (let u = 1; u < doc.a.length; u++) if (Math.abs(doc.b[u] - doc.a[u]) > Math.abs(doc.b[best] - doc.a[best])) best = u;
    const entry = dlaEntry(cfg, best, doc.a[best] / doc.positions, doc.b[best] / doc.positions);
    top.push({ ...entry, document: shard.firstDocument + i, text: String(shard.documents[i]).slice(0, 200), positions: doc.positions });
  }
  return top.items;
}

function dot(x: Float32Array, offset: number, column: Float64Array, d: number): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += x[offset + i] * column[i];
  return s;
}

export function mergeWhiteBoxPartials(parts: WhiteBoxPartial[]): WhiteBoxPartial {
  if (parts.length === 0) throw new Error('mergeWhiteBoxPartials: nothing to merge');
  const [first] = parts;
  const signature = (p: WhiteBoxPartial) => JSON.stringify([p.formatVersion, p.a, p.b, p.options]);
  for (const p of parts) {
    if (p.kind !== 'white-box-partial') throw new Error(`mergeWhiteBoxPartials: not a white-box partial (${String(p.kind)})`);
    if (signature(p) !== signature(first))
      throw new Error('mergeWhiteBoxPartials: partials of different models, options or format versions');
  }
  const documents = parts.flatMap((p) => p.documents).sort((x, y) => x.first - y.first);
  for (let i = 1; i < documents.length; i++) {
    if (documents[i].first < documents[i - 1].first + documents[i - 1].count) {
      throw new Error(`mergeWhiteBoxPartials: documents ${documents[i].first}… are in two partials`);
    }
  }
  const merge = (pick: (p: WhiteBoxPartial) => { count: number; sums: number[][] }) => {
    const out = ExactSums.fromJSON(pick(first));
    for (const p of parts.slice(1)) out.merge(ExactSums.fromJSON(pick(p)));
    return out.toJSON();
  };
  const activation = Object.fromEntries(
    SITES.map((s) => [
      s,
      {
        diff: merge((p) => p.activation[s].diff),
        normA: merge((p) => p.activation[s].normA),
        normB: merge((p) => p.activation[s].normB),
        nonZero: first.activation[s].nonZero.map((_, i) => (parts.some((p) => p.activation[s].nonZero[i]) ? 1 : 0)),
      },
    ]),
  ) as WhiteBoxPartial['activation'];
  return {
    ...first,
    documents,
    positions: parts.reduce((n, p) => n + p.positions, 0),
    dlaPositions: parts.reduce((n, p) => n + p.dlaPositions, 0),
    activation,
    dla: { a: merge((p) => p.dla.a), b: merge((p) => p.dla.b) },
    dlaTexts: mergeTop(
      parts.map((p) => p.dlaTexts),
      first.options.topK,
      byTextDiff,
    ),
  };
}

function mergeTop<T>(lists: T[][], k: number, compare: (x: T, y: T) => number): T[] {
  const top = new TopK<T>(k, compare);
  for (const list of lists) list.forEach((x) => top.push(x));
  return top.items;
}

export function activationRankings(partial: WhiteBoxPartial, topK: number): ActivationDiffRanking[] {
  const nLayers = partial.a.nLayers;
  return SITES.filter((s) => partial.activation[s].nonZero.length > 0).map((site) => {
    const act = partial.activation[site];
    const [diff, na, nb] = [ExactSums.fromJSON(act.diff), ExactSums.fromJSON(act.normA), ExactSums.fromJSON(act.normB)];
    const perLayer = act.nonZero.length / nLayers;
    const top = new TopK<ActivationDiffEntry>(
      topK,
      (x, y) => y.meanDiff - x.meanDiff || x.layer - y.layer || (x.index ?? 0) - (y.index ?? 0),
    );
    const n = partial.positions;
    for (let u = 0; u < act.nonZero.length; u++) {
      const meanDiff = n === 0 ? 0 : diff.value(u) / n;
      const meanNormA = n === 0 ? 0 : na.value(u) / n;
      const entry: ActivationDiffEntry = {
        site,
        layer: Math.floor(u / perLayer),
        index: site === 'hook_attn_out' || site === 'hook_mlp_out' || site === 'hook_resid_post' ? null : u % perLayer,
        meanDiff,
        meanNormA,
        meanNormB: n === 0 ? 0 : nb.value(u) / n,
        relative: meanDiff === 0 ? 0 : meanNormA === 0 ? null : meanDiff / meanNormA,
      };
      if (top.wouldAccept(entry)) top.push(entry);
    }
    return { site, units: act.nonZero.length, identical: act.nonZero.filter((x) => x === 0).length, top: top.items };
  });
}

export function dlaDiff(partial: WhiteBoxPartial, topK: number): DlaDiff {
  const [sa, sb] = [ExactSums.fromJSON(partial.dla.a), ExactSums.fromJSON(partial.dla.b)];
  const n = partial.dlaPositions;
  // Units per layer: heads, attn, and mlp unless attention-only.
  const cfg = { n_heads: partial.a.nHeads, attn_only: sa.count / partial.a.nLayers === partial.a.nHeads + 1 } as ModelConfig;
  const entries = Array.from({ length: sa.count }, (_, u) =>
    dlaEntry(cfg, u, n === 0 ? 0 : sa.value(u) / n, n === 0 ? 0 : sb.value(u) / n),
  );
  const order = new Map(entries.map((e, i) => [e, i]));
  const top = new TopK<DlaDiffEntry>(topK, (x, y) => Math.abs(y.diff) - Math.abs(x.diff) || order.get(x)! - order.get(y)!);
  entries.forEach((e) => top.push(e));
  return { positions: n, entries, top: top.items, texts: partial.dlaTexts };
}
