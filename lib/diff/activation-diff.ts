import type { ModelConfig } from '../models/types';
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
  WhiteBoxPartial,
} from './types';
import { DIFF_FORMAT_VERSION } from './types';
import { assertSameArchitecture, diffModelInfo, resolveDiffOptions } from './model';
import { TopK } from './top-k';
import { UnembedColumns, accumulateDla, byTextDiff, dlaUnitsPerLayer, documentDlaTexts } from './dla-diff';

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
  const [columnsA, columnsB] = [new UnembedColumns(cfg, a.model.weights), new UnembedColumns(cfg, b.model.weights)];
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
      accumulateDla(cfg, columnsA, cache, 'a:', row, seqLen, w.tokens, dla.a, doc.a);
      accumulateDla(cfg, columnsB, cache, 'b:', row, seqLen, w.tokens, dla.b, doc.b);
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
