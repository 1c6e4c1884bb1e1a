import type { ForwardRunner } from '../../engine/types';
import type { CircuitModel, RoleVerdict } from '../types';
import { normalizeRows, projectRows } from '../receiver-inputs';
import { ROLE_THRESHOLDS as T, verdict } from './definitions';

/**
 * Copy suppression (McDougall et al. 2023), from the weights on effective embeddings, over a test token set.
 * The effective embedding is McDougall's: the token's embedding through block 0 as if it attended only to itself,
 * WITHOUT a positional embedding (W_E + attention-to-self + MLP0; the token alone at position 0 would add W_pos[0],
 * which in a model trained with BOS first is the BOS position's signal, not the token's):
 *  - OV: e_t → the head's norm → W_V W_O → W_U: is the token's own logit among the 5 % most lowered?
 *  - QK: the query is the token's unembedding W_U[:, t] (what the model predicts), the keys are effective
 *    embeddings: does the token's own key rank in the top 5 %?
 * Ties count against the token, so a head that reads nothing of the prediction scores 0. A head passing both on ≥ 50 %
 * of tokens is copy suppression; the causal confirmation is its direct effect on IOI (positive: it lowers the
 * predicted answer) when IOI is usable on the model.
 */
export async function copySuppressionScores(
  runner: ForwardRunner,
  model: CircuitModel,
  tokens: number[],
): Promise<{ ov: number[][]; qk: number[][]; forwardPasses: number }> {
  const { cfg, weights } = model;
  const { d_model: D, d_head: dh, n_layers: L, n_heads: H } = cfg;
  const n = tokens.length;
  const W_E = weights.get('embed.W_E')!.data;
  const embed = new Float32Array(n * D);
  tokens.forEach((t, i) => embed.set(W_E.subarray(t * D, (t + 1) * D), i * D));
  // Block 0's input replaced by the embedding alone (no positional embedding); one token attends only to itself.
  const cache = await runner.run(
    tokens.map((t) => [t]),
    ['blocks.0.hook_resid_post'],
    { interventions: [{ hook: 'blocks.0.hook_resid_pre', kind: 'mean', value: { shape: [n, 1, D], data: embed } }] },
  );
  const eff = cache.get('blocks.0.hook_resid_post')!.data; // [n, 1, D]
  const W_U = weights.get('unembed.W_U')!;
  const V = W_U.shape[1];
  // The unembedding columns of the test tokens as residual vectors [n, D].
  const unembed = new Float64Array(n * D);
  tokens.forEach((t, i) => {
    for (let d = 0; d < D; d++) unembed[i * D + d] = W_U.data[d * V + t];
  });
  const Us = new Float32Array(D * n); // W_U restricted to the test tokens, [D, n]
  tokens.forEach((t, j) => {
    for (let d = 0; d < D; d++) Us[d * n + j] = W_U.data[d * V + t];
  });
  const top = Math.max(1, Math.floor(0.05 * n));
  const share = (score: (i: number, j: number) => number, sign: 1 | -1) => {
    let hits = 0;
    for (let i = 0; i < n; i++) {
      const own = sign * score(i, i);
      let ahead = 0;
      for (let j = 0; j < n; j++) if (j !== i && sign * score(i, j) >= own) ahead++;
      if (ahead < top) hits++;
    }
    return hits / n;
  };
  const ov: number[][] = [];
  const qk: number[][] = [];
  for (let l = 0; l < L; l++) {
    const x = normalizeRows(cfg, weights, `blocks.${l}.ln1`, Float64Array.from(eff), n);
    const u = normalizeRows(cfg, weights, `blocks.${l}.ln1`, Float64Array.from(unembed), n);
    const W_Q = weights.get(`blocks.${l}.attn.W_Q`)!.data;
    const W_K = weights.get(`blocks.${l}.attn.W_K`)!;
    const W_V = weights.get(`blocks.${l}.attn.W_V`)!.data;
    const W_O = weights.get(`blocks.${l}.attn.W_O`)!.data;
    const group = H / W_K.shape[0];
    ov.push([]);
    qk.push([]);
    for (let h = 0; h < H; h++) {
      const g = Math.floor(h / group);
      const v = projectRows(x, n, D, W_V, g * D * dh, dh, null);
      const o = projectRows(Float64Array.from(v), n, dh, W_O, h * dh * D, D, null);
      const logits = projectRows(Float64Array.from(o), n, D, Us, 0, n, null); // [n, n]: token i's output on token j's logit
      ov[l].push(share((i, j) => logits[i * n + j], -1));
      const q = projectRows(u, n, D, W_Q, h * D * dh, dh, null);
      const k = projectRows(x, n, D, W_K.data, g * D * dh, dh, null);
      const s = (i: number, j: number) => {
        let dot = 0;
        for (let c = 0; c < dh; c++) dot += q[i * dh + c] * k[j * dh + c];
        return dot;
      };
      qk[l].push(share(s, 1));
    }
  }
  return { ov, qk, forwardPasses: 1 };
}

/** Verdicts from the scores; `direct` is the IOI direct effect per head when IOI is usable (confirmation). */
export function copySuppressionVerdicts(
  scores: { ov: number[][]; qk: number[][] },
  direct: number[][] | null,
  tokenSource: string,
): RoleVerdict[] {
  const out: RoleVerdict[] = [];
  scores.ov.forEach((row, l) =>
    row.forEach((ov, h) => {
      const qk = scores.qk[l][h];
      const yes = ov >= T.tokenShare && qk >= T.tokenShare;
      const e = direct ? direct[l][h] : null;
      out.push(
        verdict('copy_suppression', l, h, {
          score: Math.min(ov, qk),
          threshold: T.tokenShare,
          verdict: yes ? 'yes' : 'no',
          reason:
            `OV suppresses its own token for ${(ov * 100).toFixed(0)} % of ${tokenSource}, QK prefers its own token for ${(qk * 100).toFixed(0)} %` +
            (ov >= T.tokenShare && qk < T.tokenShare
              ? ': it suppresses what it attends to, but its attention does not follow the prediction (see S-suppression)'
              : ''),
          confirmation: {
            method: direct ? 'path patching on IOI: head → logits (positive = lowers the answer)' : 'none (IOI not usable on this model)',
            effect: e,
            confirmed: e === null ? null : yes && e >= T.effect,
          },
          task: 'ioi',
        }),
      );
    }),
  );
  return out;
}
