import { OnnxRunner } from '../lib/engine/onnx-runner';
import { randomModel } from '../lib/engine/random-model';
import { allHookNames } from '../lib/engine/hooks';
const model = randomModel({ n_layers: 6, d_model: 512, n_heads: 8, d_head: 64, n_key_value_heads: 8, d_mlp: 2048, d_vocab: 50304, n_ctx: 2048,
  normalization_type: 'LN', positional_embedding_type: 'rotary', rotary_dim: 16, act_fn: 'gelu', parallel_attn_mlp: true }, { seed: 2 });
const toks = Array.from({ length: 4 }, (_, b) => Array.from({ length: 128 }, (_, t) => (b * 31 + t * 7) % 50000));
const all = allHookNames(model.cfg);
const sets: Record<string, string[]> = {
  logits: ['logits'],
  all,
  noResult: all.filter((h) => !h.endsWith('hook_result')),
  noNorm: all.filter((h) => !h.includes('hook_scale') && !h.includes('hook_normalized')),
  noScoresPattern: all.filter((h) => !h.includes('hook_attn_scores') && !h.includes('hook_pattern')),
};
const runners = Object.fromEntries(Object.keys(sets).map((k) => [k, new OnnxRunner(model)]));
for (const [k, hooks] of Object.entries(sets)) { await runners[k].run(toks, hooks); }
const best: Record<string, number> = {};
for (let i = 0; i < 3; i++) for (const [k, hooks] of Object.entries(sets)) {
  const t = performance.now(); await runners[k].run(toks, hooks); best[k] = Math.min(best[k] ?? Infinity, performance.now() - t);
}
console.log(Object.fromEntries(Object.entries(best).map(([k, v]) => [k, Math.round(v)])));
