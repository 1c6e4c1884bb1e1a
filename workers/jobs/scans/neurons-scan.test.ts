import { afterAll, describe, expect, it } from 'vitest';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { randomModel } from '@/lib/engine/random-model';
import { decodeResult, encodeResult } from '@/lib/queue/result-codec';
import { buildPlantedNeuronModel } from '@/lib/testing/planted-neurons';
import { calibrateNeuronRanges, scanNeuronShard, type NeuronShardResult } from '../../neurons/scan';
import { neuronsScan } from './neurons-scan';

/**
 * A neuron shard is staged as a head plus one part per layer (a GPT-2-small shard is 2.7 GB staged, over Postgres' 1 GB
 * per value): the parts, each through the result codec as the queue stages them, must give back the shard bit for
 * bit, and one layer's part exactly that layer's streams (what finalize's per-layer job reads).
 */
const { model: planted, tokenizer } = buildPlantedNeuronModel();
// Three layers of GELU MLPs (sites post and pre): parts hold several streams each, in the scan's layer-major order.
const model = randomModel(
  {
    n_layers: 3,
    d_model: 16,
    n_heads: 2,
    d_head: 8,
    d_mlp: 12,
    d_vocab: planted.cfg.d_vocab,
    n_key_value_heads: 2,
    n_ctx: 32,
    act_fn: 'gelu',
  },
  { seed: 3 },
);
const runner = new OnnxRunner(model, { intraOpNumThreads: 1 });
afterAll(() => runner.dispose());

describe('neuron shards staged in layer parts', () => {
  it('split → codec → join gives back the shard; one layer’s part gives that layer’s streams', async () => {
    const docs = ['the fox ate an xylophone', 'a box of wax', 'quiet queens quarrel'].map((text, index) => ({ index, text }));
    const options = { contextLength: 16, batchSize: 2, k: 3, randomK: 2, randomDirections: 4, seed: 1 };
    const ranges = await calibrateNeuronRanges({ model, runner, tokenizer, docs, options });
    const shard = await scanNeuronShard({ model, runner, tokenizer, docs, options, ranges });
    expect(shard.streams.map((s) => s.layer)).toEqual([0, 0, 1, 1, 2, 2]);

    const { head, parts } = neuronsScan.layerParts!.split(shard);
    expect(parts.map((p) => p.layer)).toEqual([0, 1, 2]);
    const staged = parts.map((p) => ({ layer: p.layer, bytes: encodeResult(p.value) }));
    const whole = encodeResult(shard);
    // Each part is about a third of the shard; the head holds no streams.
    for (const p of staged) expect(p.bytes.byteLength).toBeLessThan(whole.byteLength / 2);
    expect(encodeResult(head).byteLength).toBeLessThan(whole.byteLength / 10);

    const headBack = decodeResult(encodeResult(head));
    const partsBack = staged.map((p) => ({ layer: p.layer, value: decodeResult(p.bytes) }));
    // Any order of parts (the database returns them by layer; join restores the scan's order).
    const joined = neuronsScan.layerParts!.join(headBack, [...partsBack].reverse());
    expect(encodeResult(joined).equals(whole)).toBe(true);

    const layer1 = neuronsScan.layerParts!.join(headBack, [partsBack[1]]) as NeuronShardResult;
    expect(encodeResult(layer1).equals(encodeResult({ ...shard, streams: shard.streams.filter((s) => s.layer === 1) }))).toBe(true);
  });
});
