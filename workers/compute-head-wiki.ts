import type { CanonicalModel } from '@/lib/models/types';
import type { Tokenizer } from '@/lib/tokenizers/types';
import type { ForwardRunner } from '@/lib/engine/types';
import type { HeadMetricValue } from '@/lib/db/head-metrics';
import type { HeadMetric, HeadMetricContext } from '@/lib/metrics/heads/types';
import { headMetrics } from '@/lib/metrics/heads/registry';
import {
  allCompositionScores,
  randomCompositionBaseline,
  BASELINE_DRAWS,
  COMPOSITION_KINDS,
} from '@/lib/metrics/composition/composition-scores';
import type { HeadCompositionValue, CompositionBaselineValue } from '@/lib/db/head-composition';
import type { HeadLabelValue } from '@/lib/db/head-labels';
import { confirmLabels } from '@/lib/metrics/causal/confirm-labels';
import { LABEL_RULES } from '@/lib/metrics/causal/label-rules';
import { ordinalTasks } from '@/lib/metrics/heads/successor';

/**
 * A model's head wiki, computed: every registered head metric for every head, and every head's
 * attention pattern on one example text for the head pages. Pure computation — no database, no files —
 * so that it can run in a worker, a test or a benchmark alike.
 */

/** The example text shown on head pages is cut to this many tokens (BOS included): patterns stay readable. */
export const EXAMPLE_MAX_TOKENS = 48;

export interface ComputeHeadWikiInput {
  model: CanonicalModel;
  tokenizer: Tokenizer;
  runner: ForwardRunner;
  /** Natural texts for the pattern detectors; the first is also the head pages' example. */
  texts: string[];
  /** Seed of generated inputs (repeated random tokens); recorded with the run. */
  seed: number;
  onProgress?: (p: { step: string; done: number; total: number }) => void;
  /** Defaults to the registry; tests may pass a subset. */
  metrics?: readonly HeadMetric[];
  /** Q/K/V composition between every pair of heads, with its random baseline (default true). */
  composition?: boolean;
  /** Random draws of the composition baseline (default BASELINE_DRAWS = 200). */
  baselineDraws?: number;
  /** Claim labels from the scores and confirm them by ablation (default true; needs the label rules' metrics). */
  labels?: boolean;
}

export interface HeadWikiExample {
  tokenIds: number[];
  /** Vocabulary pieces of tokenIds, for display. */
  tokens: string[];
  /** One per head: its seq×seq attention pattern, row-major (query rows). */
  patterns: { layer: number; head: number; pattern: Float32Array }[];
}

export interface HeadWiki {
  metrics: HeadMetricValue[];
  metricVersions: Record<string, number>;
  example: HeadWikiExample;
  composition: { scores: HeadCompositionValue[]; baselines: CompositionBaselineValue[] } | null;
  labels: HeadLabelValue[] | null;
  /** Facts about the inputs, recorded with the run's options (e.g. which successor sequences were usable). */
  notes: Record<string, unknown>;
}

export async function computeHeadWiki(input: ComputeHeadWikiInput): Promise<HeadWiki> {
  const { model, tokenizer, runner, texts, seed } = input;
  const { cfg } = model;
  const metrics = input.metrics ?? headMetrics;
  if (!Array.isArray(texts) || texts.length === 0) throw new Error('computeHeadWiki: needs at least one text; got none');
  if (!Number.isInteger(seed)) throw new Error(`computeHeadWiki: seed must be an integer; got ${seed}`);

  const withComposition = input.composition ?? true;
  const computed = new Set(metrics.map((m) => m.id));
  const withLabels = (input.labels ?? true) && LABEL_RULES.every((r) => computed.has(r.metricId));
  const total = metrics.length + 1 + (withComposition ? 1 : 0) + (withLabels ? 1 : 0);
  const report = (step: string, done: number) => input.onProgress?.({ step, done, total });
  // One context for all metrics: the detectors memoise their shared forward pass on it.
  const ctx: HeadMetricContext = { cfg, weights: model.weights, runner, tokenizer, texts, seed };

  const values: HeadMetricValue[] = [];
  const metricVersions: Record<string, number> = {};
  const grids: Record<string, number[][]> = {};
  for (const [i, metric] of metrics.entries()) {
    report(`metric ${metric.id}`, i);
    const perHead = await metric.compute(ctx);
    assertPerHead(metric.id, perHead, cfg.n_layers, cfg.n_heads);
    metricVersions[metric.id] = metric.version;
    grids[metric.id] = perHead;
    perHead.forEach((row, layer) =>
      row.forEach((value, head) => values.push({ layer, head, metricId: metric.id, metricVersion: metric.version, value })),
    );
  }

  let step = metrics.length;
  let composition: HeadWiki['composition'] = null;
  if (withComposition) {
    report('composition', step++);
    const scores = await allCompositionScores(cfg, model.weights);
    const baseline = await randomCompositionBaseline(cfg.d_model, cfg.d_head, seed, input.baselineDraws ?? BASELINE_DRAWS);
    // Q, K and V composition compare matrices of the same shapes: one baseline serves all three kinds.
    composition = { scores, baselines: COMPOSITION_KINDS.map((kind) => ({ kind, ...baseline })) };
  }
  let labels: HeadLabelValue[] | null = null;
  if (withLabels) {
    report('labels (ablations)', step++);
    labels = await confirmLabels({ model, tokenizer, runner, texts, seed, scores: grids });
  }

  report('example patterns', step);
  const example = await examplePatterns(runner, cfg.n_layers, cfg.n_heads, cfg.n_ctx, tokenizer, texts[0]);
  report('done', total);
  const notes: Record<string, unknown> = {};
  if (computed.has('successor')) {
    const { usable, unusable } = ordinalTasks(tokenizer);
    notes.successorSequences = { usable: usable.map((t) => t.name), unusable };
  }
  if (withLabels) notes.labelAblation = 'mean';
  return { metrics: values, metricVersions, example, composition, labels, notes };
}

function assertPerHead(metricId: string, perHead: number[][], nLayers: number, nHeads: number): void {
  const shapeOk =
    Array.isArray(perHead) && perHead.length === nLayers && perHead.every((row) => Array.isArray(row) && row.length === nHeads);
  if (!shapeOk) {
    const got = Array.isArray(perHead) ? `${perHead.length} layers of [${perHead.map((r) => r?.length).join(', ')}] heads` : typeof perHead;
    throw new Error(`head metric "${metricId}" returned ${got}; expected ${nLayers} layers × ${nHeads} heads`);
  }
  perHead.forEach((row, layer) =>
    row.forEach((value, head) => {
      if (!Number.isFinite(value)) throw new Error(`head metric "${metricId}" gave ${value} for L${layer}H${head}; values must be finite`);
    }),
  );
}

/** Every head's attention pattern on the example text (BOS + at most EXAMPLE_MAX_TOKENS − 1 tokens), one forward call. */
async function examplePatterns(
  runner: ForwardRunner,
  nLayers: number,
  nHeads: number,
  nCtx: number,
  tokenizer: Tokenizer,
  text: string,
): Promise<HeadWikiExample> {
  const tokenIds = tokenizer.encode(text, { bos: true }).slice(0, Math.min(EXAMPLE_MAX_TOKENS, nCtx));
  if (tokenIds.length === 0) throw new Error('computeHeadWiki: the example text tokenized to nothing');
  const seq = tokenIds.length;
  const hooks = Array.from({ length: nLayers }, (_, l) => `blocks.${l}.attn.hook_pattern`);
  const cache = await runner.run([tokenIds], hooks);
  const patterns: HeadWikiExample['patterns'] = [];
  for (let layer = 0; layer < nLayers; layer++) {
    const tensor = cache.get(hooks[layer]);
    const expected = [1, nHeads, seq, seq];
    if (!tensor || tensor.shape.join() !== expected.join()) {
      throw new Error(
        `runner returned ${hooks[layer]} with shape [${tensor?.shape.join(', ') ?? 'missing'}]; expected [${expected.join(', ')}]`,
      );
    }
    for (let head = 0; head < nHeads; head++) {
      // A copy, so the (possibly large) cache tensor can be freed.
      patterns.push({ layer, head, pattern: tensor.data.slice(head * seq * seq, (head + 1) * seq * seq) });
    }
  }
  return { tokenIds, tokens: tokenIds.map((id) => tokenizer.piece(id)), patterns };
}
