import { afterAll, describe, expect, it } from 'vitest';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { sourceMaxName, normName } from '@/lib/engine/reductions';
import type { ActivationCache, ForwardRunner } from '@/lib/engine/types';
import { makeRng } from '@/lib/sampling/random';
import { buildPlantedModel } from '@/lib/testing/planted-models';
import { fillExample, type BatchView } from './build-example';
import { documentContexts, type ScanContext } from './contexts';
import { calibrateHeadExamples, scanHeadShard } from './scan';
import { DEFAULT_HEAD_EXAMPLE_OPTIONS, type HeadExample, type HeadExampleOptions } from './types';

/**
 * The scan builds example windows lazily (only for candidates still kept at a batch's end, with an insertion instead
 * of a sort for each row's best sources) and gives the batch's output arrays back to the runner afterwards. Both are
 * checked here against the plain definition: every window rebuilt, sort-based, from copies of the outputs taken when
 * each batch ran.
 */

/** The definition, as the scan first wrote it: sort every row's candidates (BOS, then the window's sources). */
function naiveExample(
  view: BatchView,
  b: number,
  ctx: ScanContext,
  layer: number,
  head: number,
  pos: number,
  kind: 'norm' | 'attn',
  opts: HeadExampleOptions,
) {
  const { seq, nHeads } = view;
  const pattern = view.patterns[layer];
  const rankingAt = (q: number) =>
    kind === 'norm' ? view.norms[layer][(b * seq + q) * nHeads + head] : q === 0 ? 0 : view.maxAttn[layer][(b * nHeads + head) * seq + q];
  const rowOf = (q: number) => ((b * nHeads + head) * seq + q) * seq;
  let src = -1;
  for (let k = 1, best = -1; k <= pos; k++) if (pattern[rowOf(pos) + k] > best) [best, src] = [pattern[rowOf(pos) + k], k];
  const reach = src >= 1 ? pos - src + 2 : 0;
  const start = Math.max(0, pos - Math.min(opts.maxWindowBefore, Math.max(opts.windowBefore, reach)));
  const end = Math.min(ctx.tokenIds.length, pos + opts.windowAfter + 1);
  const attn: number[][] = [];
  for (let q = start; q < end; q++) {
    const cand: { k: number; a: number }[] = [];
    if (start > 0) cand.push({ k: 0, a: pattern[rowOf(q)] });
    for (let k = start; k <= q; k++) cand.push({ k, a: pattern[rowOf(q) + k] });
    cand.sort((x, y) => y.a - x.a || x.k - y.k);
    attn.push(cand.slice(0, opts.sourcesPerRow).flatMap(({ k, a }) => [k, Math.round(a * 1e4) / 1e4]));
  }
  const acts = Array.from({ length: end - start }, (_, i) => rankingAt(start + i));
  return { windowStart: start, tokens: ctx.tokenIds.slice(start, end), acts, attn };
}

describe('fillExample', () => {
  const opts: HeadExampleOptions = {
    ...DEFAULT_HEAD_EXAMPLE_OPTIONS,
    windowBefore: 3,
    windowAfter: 2,
    maxWindowBefore: 6,
    sourcesPerRow: 3,
  };

  it('equals the sort-based definition, ties (lower source first) and BOS outside the window included', () => {
    const rng = makeRng(3);
    const seq = 16;
    const nHeads = 2;
    // Weights from a few levels, so that rows have many exact ties.
    const pattern = Float32Array.from({ length: nHeads * seq * seq }, () => [0, 0.125, 0.25, 0.5][rng.int(4)]);
    const view: BatchView = {
      seq,
      nHeads,
      patterns: [pattern],
      norms: [Float32Array.from({ length: seq * nHeads }, () => rng.next())],
      maxAttn: [Float32Array.from({ length: nHeads * seq }, () => rng.next())],
    };
    const ctx: ScanContext = { id: 5, docIndex: 0, tokenIds: Array.from({ length: seq }, (_, i) => 100 + i) };
    for (const head of [0, 1])
      for (const ranking of ['norm', 'attn'] as const)
        for (let pos = 1; pos < seq; pos++) {
          const ex: HeadExample = { value: 1, doc: ctx.id, pos, windowStart: 0, tokens: [], acts: [], attn: [] };
          fillExample(view, { b: 0, ctx, layer: 0, head, ranking }, ex, opts);
          expect(ex).toEqual({ value: 1, doc: ctx.id, pos, ...naiveExample(view, 0, ctx, 0, head, pos, ranking, opts) });
        }
  });
});

describe('head-example scan: lazy windows and recycled outputs', () => {
  const planted = buildPlantedModel();
  const cfg = planted.model.cfg;
  const rng = makeRng(11);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const documents = Array.from({ length: 10 }, (_, index) => {
    const a = Array.from({ length: 20 }, () => letters[rng.int(letters.length)]).join('');
    return { index, text: `${a}${a.slice(0, 5 + index)}${a}` };
  });
  // Small lists and batches: many candidates are pushed out within a batch, and arrays are reused across batches.
  const options = { ...DEFAULT_HEAD_EXAMPLE_OPTIONS, contextLength: 32, batchSize: 3, k: 3, bins: 6 };
  const runner = new OnnxRunner(planted.model, { intraOpNumThreads: 1 });
  afterAll(() => runner.dispose());

  it('every kept example equals its window rebuilt from the outputs of the batch it came from', async () => {
    const views: BatchView[] = [];
    let recycled = 0;
    const recording: ForwardRunner = {
      run: async (tokens, hooks, o) => {
        const cache = await runner.run(tokens, hooks, o);
        const copy = (name: string) => Float32Array.from(cache.get(name)!.data);
        const layers = Array.from({ length: cfg.n_layers }, (_, l) => l);
        views.push({
          seq: tokens[0].length,
          nHeads: cfg.n_heads,
          patterns: layers.map((l) => copy(`blocks.${l}.attn.hook_pattern`)),
          norms: layers.map((l) => copy(normName(`blocks.${l}.attn.hook_result`))),
          maxAttn: layers.map((l) => copy(sourceMaxName(`blocks.${l}.attn.hook_pattern`))),
        });
        return cache;
      },
      recycle: (cache: ActivationCache) => {
        recycled++;
        runner.recycle(cache);
      },
    };
    const normRanges = await calibrateHeadExamples({ cfg, runner, tokenizer: planted.tokenizer, documents, options });
    const shard = await scanHeadShard({ cfg, runner: recording, tokenizer: planted.tokenizer, documents, options, normRanges });
    const contexts = documents
      .flatMap((d) => documentContexts(planted.tokenizer, d, options.contextLength))
      .filter((c) => c.tokenIds.length >= 2);
    expect(recycled).toBe(views.length);
    expect(views.length).toBe(Math.ceil(contexts.length / options.batchSize));
    let checked = 0;
    const check = (ex: HeadExample, u: number, kind: 'norm' | 'attn') => {
      checked++;
      const i = contexts.findIndex((c) => c.id === ex.doc);
      const [layer, head] = [Math.floor(u / cfg.n_heads), u % cfg.n_heads];
      const view = views[Math.floor(i / options.batchSize)];
      expect(ex).toMatchObject(naiveExample(view, i % options.batchSize, contexts[i], layer, head, ex.pos, kind, options));
    };
    for (let u = 0; u < cfg.n_layers * cfg.n_heads; u++) {
      for (const ex of shard.topNorm.slots[u]) check(ex, u, 'norm');
      for (const ex of shard.topAttention.slots[u]) check(ex, u, 'attn');
      for (let s = 0; s < options.bins + 2; s++) for (const ex of shard.normSamples.slots[u * (options.bins + 2) + s]) check(ex, u, 'norm');
    }
    expect(checked).toBeGreaterThan(cfg.n_layers * cfg.n_heads * 2 * options.k);
  });
});
