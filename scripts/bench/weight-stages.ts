/**
 * What the weight-only stages of `publish` would cost on a big model, measured on slices of its real shape and
 * extrapolated: `npx tsx scripts/bench/weight-stages.ts [--shape gpt2-xl]`.
 *  - composition scores (lib/metrics/composition): time per head pair at the shape's d_model / d_head, times
 *    3 kinds × the model's pairs (srcLayer < dstLayer);
 *  - neuron weight effects (workers/neurons/weight-effects.ts): one layer with d_mlp cut to 64 neurons at the real
 *    d_model and d_vocab (the cost is linear in neurons), times d_mlp / 64 × n_layers.
 * Both run in JavaScript today; the figures say which stage blocks a billion-parameter publish and by how much.
 */
import { parseArgs } from 'node:util';
import { randomModel } from '@/lib/engine/random-model';
import { factoredCompositionScore, headFactors } from '@/lib/metrics/composition/composition-scores';
import { layerWeightEffects } from '@/workers/neurons/weight-effects';

const SHAPES = {
  'gpt2-small': { n_layers: 12, d_model: 768, n_heads: 12, d_head: 64, d_mlp: 3072, d_vocab: 50257 },
  'gpt2-xl': { n_layers: 48, d_model: 1600, n_heads: 25, d_head: 64, d_mlp: 6400, d_vocab: 50257 },
  'pythia-1.4b': { n_layers: 24, d_model: 2048, n_heads: 16, d_head: 128, d_mlp: 8192, d_vocab: 50304 },
};
const { values: args } = parseArgs({ options: { shape: { type: 'string', default: 'gpt2-xl' } } });
const shape = SHAPES[args.shape as keyof typeof SHAPES];
if (!shape) throw new Error(`--shape: one of ${Object.keys(SHAPES).join(', ')}`);

const hours = (ms: number) => `${(ms / 3.6e6).toFixed(2)} h`;
// Composition: two layers × two heads of the real width.
const slice = randomModel({ ...shape, n_layers: 2, n_heads: 2, d_mlp: 8, d_vocab: 16, n_ctx: 8 }, { seed: 1 });
const a = headFactors(slice.cfg, slice.weights, 0, 0);
const b = headFactors(slice.cfg, slice.weights, 1, 1);
const pairs = 60;
let t = performance.now();
for (let i = 0; i < pairs; i++) factoredCompositionScore(a.ov, i % 2 ? b.qk : b.ov);
const perPair = (performance.now() - t) / pairs;
const modelPairs = 3 * ((shape.n_layers * (shape.n_layers - 1)) / 2) * shape.n_heads ** 2;
console.log(`composition: ${perPair.toFixed(2)} ms per pair × ${modelPairs.toLocaleString()} pairs = ${hours(perPair * modelPairs)}`);

// Weight effects: one layer, 64 neurons, the real d_model and vocabulary.
const neurons = 64;
const layer = randomModel({ ...shape, n_layers: 1, d_mlp: neurons, n_heads: 1, d_head: 8, n_ctx: 8 }, { seed: 2 });
t = performance.now();
layerWeightEffects(layer, 0);
const perSlice = performance.now() - t;
const total = perSlice * (shape.d_mlp / neurons) * shape.n_layers;
console.log(
  `neuron weight effects: ${perSlice.toFixed(0)} ms per ${neurons} neurons × ${((shape.d_mlp / neurons) * shape.n_layers).toFixed(0)} = ${hours(total)}` +
    ` (and ${((2 * shape.d_mlp * shape.d_vocab * 4) / 1e9).toFixed(1)} GB of [d_mlp, d_vocab] scores held per layer)`,
);
