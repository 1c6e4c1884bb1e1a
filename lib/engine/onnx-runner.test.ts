import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalModel, ModelConfig, Tensor } from '../models/types';
import { loadLlama2c } from '../models/llama2c';
import { loadTransformerLensSafetensors } from '../models/tl-safetensors';
import { loadLlama2cTokenizer } from '../tokenizers/llama2c';
import { makeRng } from '../sampling/random';
import { repoPath, sharedDataPath, withoutSharedData } from '../../scripts/testing/shared-data';
import { allHookNames } from './hooks';
import { OnnxRunner } from './onnx-runner';
import { projectedName } from './projections';
import { randomModel } from './random-model';
import { ReferenceRunner } from './reference';

/** The bundled copy when it is there, else the team's shared data. */
function stories260KFile(name: string): string {
  const bundled = repoPath(`data/models/stories260K/${name}`);
  return fs.existsSync(bundled) ? bundled : sharedDataPath(`models/stories260K/${name}`);
}

/** Max |a - b| over two tensors of the same shape; equal infinities (masked scores) count as 0. */
function maxAbsDiff(a: Tensor, b: Tensor): number {
  expect(b.shape).toEqual(a.shape);
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = a.data[i] === b.data[i] ? 0 : Math.abs(a.data[i] - b.data[i]);
    if (!(d <= worst)) worst = d; // NaN propagates as a failure
  }
  return worst;
}

function randomBatch(seed: number, batch: number, pos: number, vocab: number): number[][] {
  const rng = makeRng(seed);
  return Array.from({ length: batch }, () => Array.from({ length: pos }, () => rng.int(vocab)));
}

/** Runs both engines on every hook and returns the worst difference per hook. */
async function compareAllHooks(model: CanonicalModel, tokens: number[][]): Promise<Map<string, number>> {
  const hooks = allHookNames(model.cfg);
  const reference = new ReferenceRunner(model);
  expect(hooks).toEqual(reference.hookNames());
  const runner = new OnnxRunner(model);
  try {
    const [want, got] = await Promise.all([reference.run(tokens, hooks), runner.run(tokens, hooks)]);
    return new Map(hooks.map((h) => [h, maxAbsDiff(want.get(h)!, got.get(h)!)]));
  } finally {
    await runner.dispose();
  }
}

function expectAllBelow(diffs: Map<string, number>, tolerance: number): void {
  const bad = [...diffs].filter(([, d]) => !(d <= tolerance));
  expect(bad).toEqual([]);
}

describe('OnnxRunner vs ReferenceRunner on stories260K (llama2.c: RMS, rotary, GQA 8/4, SwiGLU)', () => {
  let model: CanonicalModel;
  let runner: OnnxRunner;
  beforeAll(async () => {
    model = await loadLlama2c(stories260KFile('stories260K.bin'));
    runner = new OnnxRunner(model);
  });
  afterAll(() => runner.dispose());

  it('agrees on logits and every hook to 1e-4', async () => {
    const tokens = [[1, 403, 407, 261, 378, 395, 270, 289, 300, 310, 400, 13], randomBatch(7, 1, 12, 512)[0]];
    const diffs = await compareAllHooks(model, tokens);
    expect(diffs.size).toBe(allHookNames(model.cfg).length);
    expect(diffs.size).toBe(1 + 5 * 21 + 3); // hook_embed, 5 × 21 block hooks, ln_final scale and normalized, logits
    expectAllBelow(diffs, 1e-4);
  });

  it('predicts "Once" after BOS with a known logit', async () => {
    const cache = await runner.run([[1]], ['logits']);
    const logits = cache.get('logits')!;
    expect(logits.shape).toEqual([1, 1, 512]);
    const argmax = logits.data.indexOf(Math.max(...logits.data));
    const tokenizer = await loadLlama2cTokenizer(stories260KFile('tok512.bin'));
    expect(tokenizer.piece(argmax)).toBe('▁Once');
    expect(argmax).toBe(403);
    expect(logits.data[argmax]).toBeCloseTo(17.0235, 3);
  });

  it("greedy decoding from BOS for 200 steps reproduces llama2.c's expected output", async () => {
    const tokenizer = await loadLlama2cTokenizer(stories260KFile('tok512.bin'));
    const expected = fs.readFileSync(stories260KFile('stories260K.expected.txt'), 'utf8');
    const tokens = [model.cfg.bos_token_id];
    for (let step = 0; step < 200; step++) {
      const logits = (await runner.run([tokens], ['logits'])).get('logits')!;
      const last = logits.data.subarray((tokens.length - 1) * 512, tokens.length * 512);
      let best = 0;
      for (let i = 1; i < 512; i++) if (last[i] > last[best]) best = i;
      if (best === model.cfg.bos_token_id) break; // llama2.c stops at BOS
      tokens.push(best);
    }
    expect(tokens.length).toBe(201);
    expect(tokenizer.decode(tokens).trim()).toBe(expected.trim());
  });

  it('returns only the requested hooks, with TransformerLens shapes, from a graph pruned to what they need', async () => {
    const cache = await runner.run(
      [
        [1, 403, 407],
        [1, 20, 30],
      ],
      ['blocks.0.attn.hook_pattern', 'blocks.1.attn.hook_k', 'blocks.0.ln1.hook_scale'],
    );
    expect([...cache.keys()]).toEqual(['blocks.0.attn.hook_pattern', 'blocks.1.attn.hook_k', 'blocks.0.ln1.hook_scale']);
    expect(cache.get('blocks.0.attn.hook_pattern')!.shape).toEqual([2, 8, 3, 3]);
    expect(cache.get('blocks.1.attn.hook_k')!.shape).toEqual([2, 3, 4, 8]);
    expect(cache.get('blocks.0.ln1.hook_scale')!.shape).toEqual([2, 3, 1]);
    // Causal: the first query attends only to itself.
    const pattern = cache.get('blocks.0.attn.hook_pattern')!.data;
    expect(Array.from(pattern.subarray(0, 3))).toEqual([1, 0, 0]);
    // Stops after layer 1's key projection: W_E, layer 0, and a little of layer 1 (all hooks: 1.25 MB).
    expect(runner.lastBuild!.modelBytes).toBeLessThan(400_000);
  });

  it('caches one session per hook set, whatever the order or repetition of the names', async () => {
    await runner.prepare(['blocks.2.hook_resid_post', 'logits']);
    const builds = runner.buildCount;
    await runner.prepare(['logits', 'blocks.2.hook_resid_post', 'logits']);
    await runner.run([[1, 2]], ['logits', 'blocks.2.hook_resid_post']);
    expect(runner.buildCount).toBe(builds);
    await runner.prepare(['blocks.2.hook_resid_post']);
    expect(runner.buildCount).toBe(builds + 1);
  });

  it('writes later runs into recycled output arrays, with the same values as fresh ones, and never into a view', async () => {
    const hooks = ['logits', 'blocks.1.attn.hook_pattern', 'blocks.3.mlp.hook_post'];
    const a = [[1, 5, 9, 2]];
    const b = [[1, 7, 3, 8]];
    const fresh = await runner.run(b, hooks);
    const expected = new Map([...fresh].map(([k, t]) => [k, Float32Array.from(t.data)]));
    const first = await runner.run(a, hooks);
    const arrays = new Set([...first.values()].map((t) => t.data));
    runner.recycle(first);
    expect(first.size).toBe(0);
    const second = await runner.run(b, hooks);
    for (const [hook, t] of second) {
      expect(arrays.has(t.data), hook).toBe(true);
      expect(t.data).toEqual(expected.get(hook));
    }
    // A view into a bigger buffer is not reused (onnxruntime would write past its end into its neighbours).
    const big = new Float32Array(second.get('logits')!.data.length * 2);
    const view = big.subarray(0, second.get('logits')!.data.length);
    runner.recycle(new Map([['logits', { shape: second.get('logits')!.shape, data: view }]]));
    const third = await runner.run(b, ['logits']);
    expect(third.get('logits')!.data).not.toBe(view);
    expect(big.every((x) => x === 0)).toBe(true);
  });
  it('projects a hook onto a matrix given with the run, in the graph (hook · matrix), one session for any matrix', async () => {
    const hook = 'blocks.1.mlp.hook_post';
    const d = model.cfg.d_mlp;
    const rng = makeRng(3);
    const tokens = [
      [1, 403, 407, 261],
      [1, 20, 30, 40],
    ];
    const plain = (await runner.run(tokens, [hook])).get(hook)!;
    for (const columns of [3, 5]) {
      const matrix = Float32Array.from({ length: d * columns }, () => rng.next() - 0.5);
      const builds = runner.buildCount;
      const cache = await runner.run(tokens, [hook], { projections: [{ hook, matrix, columns }] });
      if (columns === 5) expect(runner.buildCount).toBe(builds); // the matrix is an input: same session
      expect([...cache.keys()]).toEqual([hook, projectedName(hook)]);
      expect(Array.from(cache.get(hook)!.data)).toEqual(Array.from(plain.data));
      const projected = cache.get(projectedName(hook))!;
      expect(projected.shape).toEqual([2, 4, columns]);
      for (let row = 0; row < 8; row++) {
        for (let c = 0; c < columns; c++) {
          let want = 0;
          for (let n = 0; n < d; n++) want += plain.data[row * d + n] * matrix[n * columns + c];
          expect(projected.data[row * columns + c]).toBeCloseTo(want, 5);
        }
      }
    }
    await expect(
      runner.run(tokens, [hook], { projections: [{ hook: 'blocks.0.mlp.hook_post', matrix: new Float32Array(d), columns: 1 }] }),
    ).rejects.toThrow(/must also be requested/);
    await expect(runner.run(tokens, [hook], { projections: [{ hook, matrix: new Float32Array(d + 1), columns: 1 }] })).rejects.toThrow(
      new RegExp(`expected ${d} × 1`),
    );
  });

  it('keeps at most maxCachedSessions sessions, and evicting one never breaks a run still using it', async () => {
    const small = new OnnxRunner(model, { maxCachedSessions: 2 });
    try {
      const hookSets = [['logits'], ['blocks.0.hook_resid_post'], ['blocks.1.hook_resid_post'], ['blocks.2.hook_resid_post']];
      const results = await Promise.all(hookSets.map((hooks) => small.run([[1, 403, 407]], hooks)));
      expect(small.cachedSessions).toBe(2);
      expect(small.buildCount).toBe(4);
      expect(results.map((r) => [...r.values()][0].shape)).toEqual([
        [1, 3, 512],
        [1, 3, 64],
        [1, 3, 64],
        [1, 3, 64],
      ]);
      // The evicted hook set is rebuilt on demand and gives the same numbers.
      const again = await small.run([[1, 403, 407]], ['logits']);
      expect(Array.from(again.get('logits')!.data)).toEqual(Array.from(results[0].get('logits')!.data));
      expect(small.buildCount).toBe(5);
    } finally {
      await small.dispose();
    }
    // A byte budget smaller than any model keeps only the newest session.
    const tight = new OnnxRunner(model, { maxCachedBytes: 1 });
    try {
      await tight.run([[1, 2]], ['logits']);
      await tight.run([[1, 2]], ['blocks.0.hook_resid_post']);
      expect(tight.cachedSessions).toBe(1);
      expect((await tight.run([[1, 2]], ['blocks.0.hook_resid_post'])).get('blocks.0.hook_resid_post')!.shape).toEqual([1, 2, 64]);
      expect(tight.buildCount).toBe(2);
    } finally {
      await tight.dispose();
    }
  });

  it('rejects bad input with errors naming the problem', async () => {
    await expect(runner.run([[1, 2], [1]], ['logits'])).rejects.toThrow(/same length.*sequence 1 has 1/);
    await expect(runner.run([[1, 512]], ['logits'])).rejects.toThrow(/id 512 at \[0, 1\]/);
    await expect(runner.run([[1, 2.5]], ['logits'])).rejects.toThrow(/id 2.5/);
    await expect(runner.run([], ['logits'])).rejects.toThrow(/non-empty batch/);
    await expect(runner.run([[]], ['logits'])).rejects.toThrow(/must not be empty/);
    await expect(runner.run([new Array(513).fill(1)], ['logits'])).rejects.toThrow(/exceeds.*n_ctx=512/);
    await expect(runner.run([[1]], ['blocks.0.hook_pos_embed', 'blocks.9.hook_resid_pre'])).rejects.toThrow(
      /unknown hook name\(s\) for stories260K: blocks.0.hook_pos_embed, blocks.9.hook_resid_pre/,
    );
    expect((await runner.run([[1]], [])).size).toBe(0);
  });
});

describe.skipIf(withoutSharedData('models/attn-only-2l'))(
  'OnnxRunner on attn-only-2l (trained TransformerLens state dict: LN, learned positions, biases)',
  () => {
    it('matches the logits PyTorch computed (reference.json) and the ReferenceRunner on every hook', async () => {
      const dir = sharedDataPath('models/attn-only-2l');
      const reference = JSON.parse(fs.readFileSync(`${dir}/reference.json`, 'utf8')) as {
        token_ids: number[];
        argmax_per_position: number[];
        last_logits: number[];
      };
      const model = await loadTransformerLensSafetensors(dir);
      const runner = new OnnxRunner(model);
      try {
        const logits = (await runner.run([reference.token_ids], ['logits'])).get('logits')!;
        const P = reference.token_ids.length;
        expect(logits.shape).toEqual([1, P, 512]);
        const last = { shape: [512], data: logits.data.slice((P - 1) * 512) };
        expect(maxAbsDiff({ shape: [512], data: Float32Array.from(reference.last_logits) }, last)).toBeLessThan(1e-4);
        const argmax = Array.from({ length: P }, (_, p) => {
          const row = logits.data.subarray(p * 512, (p + 1) * 512);
          return row.indexOf(Math.max(...row));
        });
        expect(argmax).toEqual(reference.argmax_per_position);
      } finally {
        await runner.dispose();
      }
      expectAllBelow(await compareAllHooks(model, [reference.token_ids.slice(0, 12), reference.token_ids.slice(8, 20)]), 1e-4);
    });
  },
);

describe('OnnxRunner vs ReferenceRunner on random-weight models of every architecture option', () => {
  const cases: Array<[string, Partial<ModelConfig>, { biases?: boolean }]> = [
    ['GPT-2 style: LN, learned positions, gelu_new, biases', {}, {}],
    [
      'Llama style: RMS, rotary, GQA 4/2, gated silu, no biases',
      { normalization_type: 'RMS', positional_embedding_type: 'rotary', n_key_value_heads: 2, gated_mlp: true, act_fn: 'silu' },
      { biases: false },
    ],
    ['attention-only, LN, learned positions, 3 layers', { attn_only: true, d_mlp: 0, act_fn: null, n_layers: 3 }, {}],
    [
      'GPT-NeoX style: parallel attention + MLP, partial rotary (4 of 8), gelu',
      {
        parallel_attn_mlp: true,
        positional_embedding_type: 'rotary',
        d_head: 8,
        n_heads: 2,
        n_key_value_heads: 2,
        rotary_dim: 4,
        act_fn: 'gelu',
      },
      {},
    ],
    [
      'partial rotary (2 of 8) with multi-query attention (4 heads share 1), no norm, relu',
      {
        positional_embedding_type: 'rotary',
        d_head: 8,
        rotary_dim: 2,
        rotary_base: 100,
        n_key_value_heads: 1,
        normalization_type: null,
        act_fn: 'relu',
      },
      {},
    ],
    [
      'gated gelu with b_in (TransformerLens adds it after the product), RMS',
      { gated_mlp: true, act_fn: 'gelu', normalization_type: 'RMS' },
      {},
    ],
    ['SoLU (solu_ln) with its inner LayerNorm', { act_fn: 'solu_ln', d_mlp: 20 }, {}],
  ];

  for (const [title, cfg, opts] of cases) {
    it(`${title}: logits and every hook agree to 1e-4`, async () => {
      const model = randomModel({ ...cfg, model_name: title }, { seed: 42, ...opts });
      const diffs = await compareAllHooks(model, randomBatch(3, 3, 9, model.cfg.d_vocab));
      expectAllBelow(diffs, 1e-4);
      expect(diffs.get('logits')).toBeLessThan(1e-5);
    });
  }

  it('asking for one hook at a time (pruned graphs, fused LayerNorm) gives the same values as the reference', async () => {
    for (const cfg of [
      { n_layers: 1 },
      {
        n_layers: 1,
        normalization_type: 'RMS',
        positional_embedding_type: 'rotary',
        n_key_value_heads: 2,
        gated_mlp: true,
        act_fn: 'silu',
      },
    ] as Partial<ModelConfig>[]) {
      const model = randomModel(cfg, { seed: 9 });
      const tokens = randomBatch(11, 2, 6, model.cfg.d_vocab);
      const hooks = allHookNames(model.cfg);
      const want = await new ReferenceRunner(model).run(tokens, hooks);
      const runner = new OnnxRunner(model, { maxCachedSessions: 1 });
      try {
        const diffs = new Map<string, number>();
        for (const hook of hooks) diffs.set(hook, maxAbsDiff(want.get(hook)!, (await runner.run(tokens, [hook])).get(hook)!));
        expectAllBelow(diffs, 1e-4);
      } finally {
        await runner.dispose();
      }
    }
  });

  it('a model with learned positions accepts exactly n_ctx positions', async () => {
    const model = randomModel({ n_ctx: 8 });
    const diffs = await compareAllHooks(model, randomBatch(5, 2, 8, model.cfg.d_vocab));
    expectAllBelow(diffs, 1e-4);
  });

  it('refuses configurations it cannot express', () => {
    expect(() => new OnnxRunner(randomModel({ act_fn: 'solu_ln', gated_mlp: true }))).toThrow(/gated MLP with solu_ln/);
    expect(() => new OnnxRunner({ ...randomModel({}), cfg: { ...randomModel({}).cfg, n_key_value_heads: 3 } })).toThrow(
      /n_heads \(4\) must be a multiple of n_key_value_heads \(3\)/,
    );
  });

  it('names a weight with the wrong shape', async () => {
    const model = randomModel({});
    model.weights.set('blocks.1.attn.W_K', { shape: [4, 16, 3], data: new Float32Array(4 * 16 * 3) });
    await expect(new OnnxRunner(model).run([[1, 2]], ['logits'])).rejects.toThrow(
      /weight blocks.1.attn.W_K has shape \[4, 16, 3\], expected \[4, 16, 4\]/,
    );
  });
});
