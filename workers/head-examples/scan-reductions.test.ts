import { afterAll, describe, expect, it } from 'vitest';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { ReferenceRunner } from '@/lib/engine/reference';
import type { ForwardRunner } from '@/lib/engine/types';
import { buildPlantedModel } from '@/lib/testing/planted-models';
import { calibrateHeadExamples, scanHeadShard } from './scan';
import { DEFAULT_HEAD_EXAMPLE_OPTIONS, type HeadShardResult } from './types';

/**
 * The head-example scan's in-graph reductions (‖hook_result‖ per head and destination, max attention on a non-BOS
 * source) against the host computations they replace: the same scan with a runner that returns only plain hooks
 * (the scan then fetches hook_result and the patterns and reduces them itself), and with the plain-TS reference forward.
 */
const planted = buildPlantedModel();
const cfg = planted.model.cfg;
const documents = ['abcabcabc xyz xyz', 'the cat sat on the mat, the cat', 'qwertyuiop qwerty', 'hello hello world'].map((text, index) => ({
  index,
  text,
}));
const options = { ...DEFAULT_HEAD_EXAMPLE_OPTIONS, contextLength: 24, batchSize: 3, k: 4 };

/** A runner that drops every in-graph extra (norms, source maxima): what runners without them return. */
const hooksOnly = (r: ForwardRunner): ForwardRunner => ({ run: (tokens, hooks) => r.run(tokens, hooks) });

describe('head-example scan: in-graph norms and source maxima', () => {
  const runner = new OnnxRunner(planted.model, { intraOpNumThreads: 1 });
  afterAll(() => runner.dispose());

  async function scan(r: ForwardRunner): Promise<HeadShardResult> {
    const normRanges = await calibrateHeadExamples({ cfg, runner, tokenizer: planted.tokenizer, documents, options });
    return scanHeadShard({ cfg, runner: r, tokenizer: planted.tokenizer, documents, options, normRanges });
  }

  it('equal the host reductions they replace: attention exactly, norms to float32 rounding', async () => {
    const [graph, host] = [await scan(runner), await scan(hooksOnly(runner))];
    expect(graph.topAttention).toEqual(host.topAttention);
    expect(graph.attentionHistogram).toEqual(host.attentionHistogram);
    for (let u = 0; u < cfg.n_layers * cfg.n_heads; u++) {
      // Values to float32 rounding (near-ties, e.g. a head writing the same on every token, may then rank otherwise).
      const [g, h] = [graph.topNorm.slots[u], host.topNorm.slots[u]];
      expect(g).toHaveLength(h.length);
      g.forEach((e, i) => expect(e.value).toBeCloseTo(h[i].value, 5));
    }
    expect(graph.normMoments.count).toEqual(host.normMoments.count);
  });

  it('match the plain-TS reference forward', async () => {
    const [graph, ref] = [await scan(runner), await scan(new ReferenceRunner(planted.model))];
    expect(graph.attentionHistogram.counts).toEqual(ref.attentionHistogram.counts);
    for (let u = 0; u < cfg.n_layers * cfg.n_heads; u++) {
      graph.topAttention.slots[u].forEach((e, i) => expect(e.value).toBeCloseTo(ref.topAttention.slots[u][i].value, 4));
      graph.topNorm.slots[u].forEach((e, i) => expect(e.value).toBeCloseTo(ref.topNorm.slots[u][i].value, 4));
    }
  });
});
