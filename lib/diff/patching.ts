import type { Tensor } from '../models/types';
import type { Intervention } from '../engine/interventions';
import type { BlackBoxDiff, DiffModel, PatchingComponentResult, PatchingDiff, PatchingTextChoice } from './types';
import { assertSameArchitecture } from './model';

/**
 * Activation patching from one model into the other (open problem 6.58): on a text where one model (the source)
 * does better, each head's output (attn.hook_result) and each MLP's output (hook_mlp_out) of the source is written
 * into the other model's run (the receiver), one component at a time, and the receiver's loss measured: the share
 * of the gap a component closes says whether it carries the improvement. One forward per layer: the batch holds
 * the text once per component of that layer, each row patching its own component (interventions' `rows`).
 */

/** The text where one model does best relative to the other, from a black-box diff (the larger advantage wins). */
export function choosePatchingText(blackBox: BlackBoxDiff): PatchingTextChoice | null {
  const { bestTextForA: forA, bestTextForB: forB } = blackBox;
  if (!forA) return forB;
  if (!forB) return forA;
  return forB.advantage >= forA.advantage ? forB : forA;
}

/** Mean next-token cross-entropy of each batch row over its first n positions (float64 log-softmax). */
function rowLosses(logits: Tensor, tokens: number[]): number[] {
  const [rows, seq, vocab] = logits.shape;
  return Array.from({ length: rows }, (_, r) => {
    let sum = 0;
    for (let p = 0; p + 1 < tokens.length; p++) {
      const base = (r * seq + p) * vocab;
      let max = -Infinity;
      for (let i = base; i < base + vocab; i++) if (logits.data[i] > max) max = logits.data[i];
      let z = 0;
      for (let i = base; i < base + vocab; i++) z += Math.exp(logits.data[i] - max);
      sum += max + Math.log(z) - logits.data[base + tokens[p + 1]];
    }
    return sum / (tokens.length - 1);
  });
}

export async function computePatchingDiff(
  a: DiffModel,
  b: DiffModel,
  text: string,
  opts: { source?: 'a' | 'b' } = {},
): Promise<PatchingDiff> {
  assertSameArchitecture(a, b);
  const cfg = a.model.cfg;
  const encoded = a.tokenizer.encode(text, { bos: true });
  const tokens = encoded.slice(0, cfg.n_ctx);
  if (tokens.length < 2) throw new Error('activation patching needs a text of at least one token');
  const [lossA] = rowLosses((await a.runner.run([tokens], ['logits'])).get('logits')!, tokens);
  const [lossB] = rowLosses((await b.runner.run([tokens], ['logits'])).get('logits')!, tokens);
  const sourceName = opts.source ?? (lossB <= lossA ? 'b' : 'a');
  const [source, receiver] = sourceName === 'b' ? [b, a] : [a, b];
  const [sourceLoss, receiverLoss] = sourceName === 'b' ? [lossB, lossA] : [lossA, lossB];

  const hooksOfLayer = (l: number) => [`blocks.${l}.attn.hook_result`, ...(cfg.attn_only ? [] : [`blocks.${l}.hook_mlp_out`])];
  const allHooks = Array.from({ length: cfg.n_layers }, (_, l) => hooksOfLayer(l)).flat();
  const patched = await source.runner.run([tokens], allHooks);
  const gap = receiverLoss - sourceLoss;
  const components: PatchingComponentResult[] = [];
  for (let l = 0; l < cfg.n_layers; l++) {
    const [resultHook, mlpHook] = hooksOfLayer(l);
    const interventions: Intervention[] = Array.from({ length: cfg.n_heads }, (_, h) => ({
      hook: resultHook,
      kind: 'patch' as const,
      head: h,
      rows: [h],
      value: patched.get(resultHook)!,
    }));
    if (mlpHook) interventions.push({ hook: mlpHook, kind: 'patch', rows: [cfg.n_heads], value: patched.get(mlpHook)! });
    const batch = Array.from({ length: interventions.length }, () => tokens);
    const losses = rowLosses((await receiver.runner.run(batch, ['logits'], { interventions })).get('logits')!, tokens);
    losses.forEach((patchedLoss, row) => {
      const isHead = row < cfg.n_heads;
      components.push({
        component: isHead ? 'head' : 'mlp',
        layer: l,
        head: isHead ? row : null,
        hook: isHead ? resultHook : mlpHook,
        patchedLoss,
        recovered: gap === 0 ? 0 : (receiverLoss - patchedLoss) / gap,
      });
    });
  }
  const everything: Intervention[] = allHooks.map((hook) => ({ hook, kind: 'patch', value: patched.get(hook)! }));
  const [allPatchedLoss] = rowLosses(
    (await receiver.runner.run([tokens], ['logits'], { interventions: everything })).get('logits')!,
    tokens,
  );
  components.sort((x, y) => y.recovered - x.recovered || x.layer - y.layer || (x.head ?? -1) - (y.head ?? -1));
  return {
    text: a.tokenizer.decode(tokens),
    tokens: tokens.length,
    source: sourceName,
    receiverLoss,
    sourceLoss,
    allPatchedLoss,
    components,
  };
}
