import * as ort from 'onnxruntime-node';
import { buildOnnxModel } from '../lib/engine/onnx-graph';
import { loadLlama2c } from '../lib/models/llama2c';
import { tokensToTensor } from '../lib/engine/onnx-runner';
const model = await loadLlama2c('data/models/stories260K/stories260K.bin');
const B = 16, T = 256;
const toks = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => (b * 31 + t * 7) % 512));
const input = tokensToTensor(toks, 512, 512);
const pats = Array.from({ length: 5 }, (_, l) => `blocks.${l}.attn.hook_pattern`);
const opts = { graphOptimizationLevel: 'all' as const, extra: { session: { intra_op: { allow_spinning: '0' } } } };
const s0 = await ort.InferenceSession.create(buildOnnxModel(model, { hooks: ['logits'] }), opts);
const s1 = await ort.InferenceSession.create(buildOnnxModel(model, { hooks: ['logits', ...pats] }), opts);
const fixed: Record<string, ort.Tensor> = { logits: new ort.Tensor('float32', new Float32Array(B * T * 512), [B, T, 512]) };
for (const p of pats) fixed[p] = new ort.Tensor('float32', new Float32Array(B * 8 * T * T), [B, 8, T, T]);
const best: Record<string, number> = { base: Infinity, hooked: Infinity, hookedFixed: Infinity, hookedFresh: Infinity };
for (let i = 0; i < 8; i++) {
  let t = performance.now(); await s0.run({ tokens: input }); best.base = Math.min(best.base, performance.now() - t);
  t = performance.now(); await s1.run({ tokens: input }); best.hooked = Math.min(best.hooked, performance.now() - t);
  t = performance.now(); await s1.run({ tokens: input }, fixed); best.hookedFixed = Math.min(best.hookedFixed, performance.now() - t);
  const fresh: Record<string, ort.Tensor> = { logits: new ort.Tensor('float32', new Float32Array(B * T * 512), [B, T, 512]) };
  for (const p of pats) fresh[p] = new ort.Tensor('float32', new Float32Array(B * 8 * T * T), [B, 8, T, T]);
  t = performance.now(); await s1.run({ tokens: input }, fresh); best.hookedFresh = Math.min(best.hookedFresh, performance.now() - t);
}
console.log(best);
