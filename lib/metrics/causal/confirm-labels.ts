import type { CanonicalModel } from '../../models/types';
import type { ForwardRunner } from '../../engine/types';
import type { Tokenizer } from '../../tokenizers/types';
import { OnnxRunner } from '../../engine/onnx-runner';
import { REPEATED_TOKENS_DEFAULTS, repeatedRandomTokens } from '../heads/repeated-tokens';
import { inductionStripeScore } from '../heads/induction';
import { detectorTokens } from '../heads/detect-head';
import { ablateHeads, meanHeadOutputs, type AblationKind } from './ablate';
import { allButLast, meanNextTokenLoss, secondCopyPositions } from './losses';
import { LABEL_RULES, type HeadLabel, type LabelRule } from './label-rules';

/**
 * Natural-text effects are measured on the first LABEL_MAX_TEXTS of the run's texts: each claimed label costs
 * a forward pass of the ablated model, and the effects are means that settle well before 50 texts.
 */
export const LABEL_MAX_TEXTS = 50;

type DisposableRunner = ForwardRunner & { dispose?: () => Promise<void> };

export interface ConfirmLabelsInput {
  model: CanonicalModel;
  tokenizer: Tokenizer;
  /** The clean model's runner. */
  runner: ForwardRunner;
  texts: readonly string[];
  seed: number;
  /** Per metric id, result[layer][head]: at least the rules' metrics. */
  scores: Record<string, number[][]>;
  ablation?: AblationKind;
  /** Runner for an ablated model (default: an OnnxRunner, disposed after use). */
  makeRunner?: (model: CanonicalModel) => DisposableRunner;
  onProgress?: (done: number, total: number) => void;
  /** Only claims on heads of these layers (finalize's per-layer jobs); default every layer. */
  layers?: readonly number[];
}

/** Induction score (exact) of every head from one run over [BOS] + r + r. */
async function inductionScores(runner: ForwardRunner, model: CanonicalModel, tokens: number[][], n: number): Promise<number[][]> {
  const { cfg } = model;
  const seq = 2 * n + 1;
  const hooks = Array.from({ length: cfg.n_layers }, (_, l) => `blocks.${l}.attn.hook_pattern`);
  const cache = await runner.run(tokens, hooks);
  return hooks.map((hook) => {
    const p = cache.get(hook)!.data;
    return Array.from({ length: cfg.n_heads }, (_, h) => {
      let s = 0;
      for (let b = 0; b < tokens.length; b++) {
        const o = (b * cfg.n_heads + h) * seq * seq;
        s += inductionStripeScore(p.subarray(o, o + seq * seq), seq, n);
      }
      return s / tokens.length;
    });
  });
}

/** Sequences grouped by length (the runner takes equal-length batches), with their indices. */
function byLength(sequences: readonly number[][]): { indices: number[]; batch: number[][] }[] {
  const groups = new Map<number, { indices: number[]; batch: number[][] }>();
  sequences.forEach((s, i) => {
    const g = groups.get(s.length) ?? { indices: [], batch: [] };
    g.indices.push(i);
    g.batch.push(s);
    groups.set(s.length, g);
  });
  return [...groups.values()];
}

/** Per query q ≥ 1: the token the head attends to most among positions 1..q (BOS excluded). */
async function mostAttendedTokens(runner: ForwardRunner, model: CanonicalModel, sequences: number[][], layer: number, head: number) {
  const out: { seq: number; pos: number; token: number }[] = [];
  const hook = `blocks.${layer}.attn.hook_pattern`;
  const nHeads = model.cfg.n_heads;
  for (const { indices, batch } of byLength(sequences)) {
    const p = (await runner.run(batch, [hook])).get(hook)!.data;
    const n = batch[0].length;
    batch.forEach((tokens, b) => {
      const base = (b * nHeads + head) * n * n;
      for (let q = 1; q < n; q++) {
        let best = 1;
        for (let k = 2; k <= q; k++) if (p[base + q * n + k] > p[base + q * n + best]) best = k;
        out.push({ seq: indices[b], pos: q, token: tokens[best] });
      }
    });
  }
  return out;
}

async function meanLogitOf(runner: ForwardRunner, sequences: number[][], targets: { seq: number; pos: number; token: number }[]) {
  const bySeq = new Map<number, { pos: number; token: number }[]>();
  for (const t of targets) bySeq.set(t.seq, [...(bySeq.get(t.seq) ?? []), t]);
  let sum = 0;
  for (const { indices, batch } of byLength(sequences)) {
    const logits = (await runner.run(batch, ['logits'])).get('logits')!;
    const [, n, vocab] = logits.shape;
    indices.forEach((seqIndex, b) => {
      for (const t of bySeq.get(seqIndex) ?? []) sum += logits.data[(b * n + t.pos) * vocab + t.token];
    });
  }
  return targets.length === 0 ? 0 : sum / targets.length;
}

/** The later head (layer > `layer`) with the highest clean induction score. */
export function strongestLaterInduction(scores: number[][], layer: number): { name: string; score: number } {
  let best = { name: '(none)', score: -Infinity };
  for (let l = layer + 1; l < scores.length; l++) {
    scores[l].forEach((score, h) => {
      if (score > best.score) best = { name: `L${l}H${h}`, score };
    });
  }
  return best;
}

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(3));

/**
 * Claims labels from scores and tests each claim causally by ablating the head. Heads whose effect
 * cannot be measured (a previous-token head with no later layer) are `untestable`.
 */
export async function confirmLabels(input: ConfirmLabelsInput): Promise<HeadLabel[]> {
  const { model, tokenizer, runner, seed } = input;
  const { cfg } = model;
  const ablation = input.ablation ?? 'mean';
  const makeRunner = input.makeRunner ?? ((m: CanonicalModel) => new OnnxRunner(m));

  const claims: { rule: LabelRule; layer: number; head: number; score: number }[] = [];
  for (const rule of LABEL_RULES) {
    const grid = input.scores[rule.metricId];
    if (!grid) throw new Error(`confirmLabels: scores for metric "${rule.metricId}" are missing`);
    grid.forEach(
      (row, layer) =>
        (!input.layers || input.layers.includes(layer)) &&
        row.forEach((score, head) => score >= rule.threshold && claims.push({ rule, layer, head, score })),
    );
  }
  if (claims.length === 0) return [];

  // Inputs: the metrics' own input sets.
  const { tokens: repeated, nTokens } = repeatedRandomTokens({
    tokenizer,
    dVocab: cfg.d_vocab,
    nCtx: cfg.n_ctx,
    seed,
    nTokens: REPEATED_TOKENS_DEFAULTS.nTokens,
    batch: REPEATED_TOKENS_DEFAULTS.batch,
  });
  const natural = detectorTokens(tokenizer, input.texts.slice(0, LABEL_MAX_TEXTS), cfg.n_ctx);
  const lazily = <T>(f: () => Promise<T>) => {
    let p: Promise<T> | undefined;
    return () => (p ??= f());
  };
  const meanZRepeated = lazily(() => meanHeadOutputs(runner, model, repeated));
  const meanZNatural = lazily(() => meanHeadOutputs(runner, model, natural));
  const cleanInduction = lazily(() => inductionScores(runner, model, repeated, nTokens));
  const cleanLossRepeated = lazily(() => meanNextTokenLoss(runner, repeated, secondCopyPositions(nTokens)));
  const cleanLossNatural = lazily(() => meanNextTokenLoss(runner, natural, allButLast));
  const cleanTargets = new Map<string, Promise<{ seq: number; pos: number; token: number }[]>>();
  const targetsOf = (layer: number, head: number) => {
    const key = `${layer}.${head}`;
    if (!cleanTargets.has(key)) cleanTargets.set(key, mostAttendedTokens(runner, model, natural, layer, head));
    return cleanTargets.get(key)!;
  };

  const labels: HeadLabel[] = [];
  for (const [i, claim] of claims.entries()) {
    input.onProgress?.(i, claims.length);
    const { rule, layer, head, score } = claim;
    const base = {
      layer,
      head,
      label: rule.label,
      metricId: rule.metricId,
      score,
      threshold: rule.threshold,
      effectThreshold: rule.effectThreshold,
      effectUnit: rule.effectUnit,
      ablation,
    };
    if (rule.label === 'previous_token' && layer === cfg.n_layers - 1) {
      labels.push({
        ...base,
        status: 'untestable',
        effect: null,
        detail: 'No later layer: no head can build on it (an induction score needs a later head).',
      });
      continue;
    }
    if (rule.label === 'previous_token') {
      // The test can only pass if some later head has an induction score that can fall by the threshold (a score is
      // ≥ 0, so it falls by at most its clean value). Without such a head the model has no induction circuit to
      // break: the claim is untestable here, not refuted.
      const strongest = strongestLaterInduction(await cleanInduction(), layer);
      if (strongest.score < rule.effectThreshold) {
        labels.push({
          ...base,
          status: 'untestable',
          effect: null,
          detail: `No later head is an induction head (the highest induction score after it, ${strongest.name}'s ${fmt(strongest.score)}, cannot drop by ${rule.effectThreshold}): nothing here builds on it.`,
        });
        continue;
      }
    }
    const onNatural = rule.label === 'duplicate_token' || rule.label === 'copying';
    const meanZ = ablation === 'mean' ? (await (onNatural ? meanZNatural() : meanZRepeated()))[layer][head] : undefined;
    const ablatedRunner = makeRunner(ablateHeads(model, [{ layer, head, kind: ablation, meanZ }]));
    try {
      let effect: number;
      let detail: string;
      if (rule.label === 'previous_token') {
        const [clean, ablated] = [await cleanInduction(), await inductionScores(ablatedRunner, model, repeated, nTokens)];
        let best = { drop: -Infinity, layer: -1, head: -1 };
        for (let l = layer + 1; l < cfg.n_layers; l++) {
          for (let h = 0; h < cfg.n_heads; h++) {
            const drop = clean[l][h] - ablated[l][h];
            if (drop > best.drop) best = { drop, layer: l, head: h };
          }
        }
        effect = best.drop;
        detail = `Ablating it moves L${best.layer}H${best.head}'s induction score from ${fmt(clean[best.layer][best.head])} to ${fmt(ablated[best.layer][best.head])} (the largest drop among later heads).`;
      } else if (rule.label === 'induction') {
        const clean = await cleanLossRepeated();
        const ablated = await meanNextTokenLoss(ablatedRunner, repeated, secondCopyPositions(nTokens));
        effect = ablated - clean;
        detail = `Loss on the second copy of repeated random tokens: ${fmt(clean)} → ${fmt(ablated)} nats.`;
      } else if (rule.label === 'duplicate_token') {
        const clean = await cleanLossNatural();
        const ablated = await meanNextTokenLoss(ablatedRunner, natural, allButLast);
        effect = ablated - clean;
        detail = `Loss on the natural texts: ${fmt(clean)} → ${fmt(ablated)} nats.`;
      } else {
        const targets = await targetsOf(layer, head);
        const clean = await meanLogitOf(runner, natural, targets);
        const ablated = await meanLogitOf(ablatedRunner, natural, targets);
        effect = clean - ablated;
        detail = `Mean logit of the token it attends to most: ${fmt(clean)} → ${fmt(ablated)}.`;
      }
      labels.push({ ...base, status: effect >= rule.effectThreshold ? 'confirmed' : 'not_confirmed', effect, detail });
    } finally {
      await ablatedRunner.dispose?.();
    }
  }
  input.onProgress?.(claims.length, claims.length);
  return labels;
}
