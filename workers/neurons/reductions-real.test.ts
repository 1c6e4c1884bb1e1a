import { describe, expect, it } from 'vitest';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { ReferenceRunner } from '@/lib/engine/reference';
import { reduceOnHost } from '@/lib/engine/reductions';
import { expectSameReductions, expectSameSummaries, scanBatches, streamOf } from '@/lib/testing/reductions';
import { resolveModel } from '@/lib/models/registry';
import { readDocuments } from '@/workers/corpus-files';
import { buildContexts } from './contexts';
import { sharedDataPath, withoutSharedData } from '@/scripts/testing/shared-data';

/**
 * In-graph reductions on real checkpoints: the bundled stories260K and the team's shared data's gelu-2l (scripts/testing/shared-data.ts). The neuron scan's
 * reduced path gives the statistics and examples of the path it replaces (every value on the host), and the graph's
 * reductions match the plain-TS reference forward's.
 */
async function check(nameOrPath: string, hook: string, docs: number, reference: boolean) {
  const { model, tokenizer } = await resolveModel(nameOrPath);
  const texts = (await readDocuments('data/corpora/tinystories-sample.txt')).slice(0, docs);
  const contexts = buildContexts(
    tokenizer,
    texts.map((text, index) => ({ index, text })),
    32,
  ).map((c) => c.tokens);
  const units = model.cfg.d_mlp;
  const runner = new OnnxRunner(model, { intraOpNumThreads: 1 });
  try {
    const batches = await scanBatches(runner, hook, units, contexts, 4, 32);
    for (const b of batches) expectSameReductions(b.graph, b.host, units);
    expectSameSummaries(streamOf(batches, units, 'graph'), streamOf(batches, units, 'values'), units, false);
    if (reference) {
      const ref = new ReferenceRunner(model);
      const b = batches[0];
      const tokens = b.contexts.map((c) => [...c.tokens, ...new Array(b.seq - c.tokens.length).fill(0)]);
      const data = (await ref.run(tokens, [hook])).get(hook)!.data;
      const observed = new Float32Array(tokens.length * 32);
      b.contexts.forEach((c, i) => observed.fill(1, i * 32 + 1, i * 32 + c.tokens.length));
      const want = reduceOnHost(data, tokens.length, b.seq, units, observed, 32);
      for (const k of ['max', 'min', 'sums'] as const)
        want[k].forEach((w, i) => expect(Math.abs(b.graph[k][i] - w)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(w))));
    }
  } finally {
    await runner.dispose();
  }
}

describe('in-graph reductions on real models', () => {
  it('stories260K (SwiGLU, bundled): scan statistics as on the host; graph = reference forward', async () => {
    await check('stories260K', 'blocks.2.mlp.hook_post', 12, true);
  });

  it.skipIf(withoutSharedData('models/gelu-2l'))('gelu-2l (shared data): scan statistics as on the host, at pre and post', async () => {
    await check(sharedDataPath('models/gelu-2l'), 'blocks.1.mlp.hook_post', 8, false);
    await check(sharedDataPath('models/gelu-2l'), 'blocks.0.mlp.hook_pre', 8, false);
  });
});
