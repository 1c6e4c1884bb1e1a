/**
 * Scale benchmark: `npx tsx scripts/bench/scale.ts [--only gpt2-xl-f16,...] [--batch 4] [--pos 128] [--reps 2] [--keep]`.
 *
 * For real model shapes with random weights (nothing to download): writes a Hugging Face checkpoint into a scratch
 * folder under the OS's temp dir (tensor by tensor, never the whole file in memory), then, in a fresh child process
 * per model (so each peak RSS is that model's alone, and only one large model is in memory at a time), prints:
 * load time (safetensors read by ranges + 16→32-bit conversion + canonical layout), session build time for a
 * typical scan's hook set (logits, every attn.hook_pattern and mlp.hook_post), forward tokens/s with those hooks
 * (best of N), and peak RSS against the weights' float32 bytes. The scratch files are deleted unless --keep.
 *
 * Physical limits to compare with: the forward's FLOPs (2 · matmul parameters per token + attention) at the
 * machine's matmul peak (scripts/bench/forward.ts measures it), and reading the checkpoint at disk speed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadHfFolder } from '@/lib/models/hf/load-hf-folder';
import { writeSafetensorsStream, type TensorSpec } from '@/lib/models/safetensors-stream';
import type { WritableDtype } from '@/lib/models/safetensors-write';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { weightBytes } from '@/lib/engine/weight-feeds';
import { makeRng } from '@/lib/sampling/random';

interface Shape {
  name: string;
  family: 'gpt2' | 'gpt_neox';
  dtype: WritableDtype;
  layers: number;
  dModel: number;
  heads: number;
  dMlp: number;
  vocab: number;
  nCtx: number;
  /** Peak RSS target as a multiple of the float32 weights (the issue's), or an absolute figure in bytes. */
  target?: { ratio?: number; bytes?: number };
}

const SHAPES: Shape[] = [
  {
    name: 'gpt2-small-f32',
    family: 'gpt2',
    dtype: 'F32',
    layers: 12,
    dModel: 768,
    heads: 12,
    dMlp: 3072,
    vocab: 50257,
    nCtx: 1024,
    target: { bytes: 1.5e9 },
  },
  {
    name: 'gpt2-large-f32',
    family: 'gpt2',
    dtype: 'F32',
    layers: 36,
    dModel: 1280,
    heads: 20,
    dMlp: 5120,
    vocab: 50257,
    nCtx: 1024,
    target: { ratio: 2 },
  },
  {
    name: 'gpt2-xl-f16',
    family: 'gpt2',
    dtype: 'F16',
    layers: 48,
    dModel: 1600,
    heads: 25,
    dMlp: 6400,
    vocab: 50257,
    nCtx: 1024,
    target: { ratio: 1.5 },
  },
  { name: 'pythia-1.4b-f16', family: 'gpt_neox', dtype: 'F16', layers: 24, dModel: 2048, heads: 16, dMlp: 8192, vocab: 50304, nCtx: 2048 },
];

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    batch: { type: 'string', default: '4' },
    pos: { type: 'string', default: '128' },
    reps: { type: 'string', default: '2' },
    keep: { type: 'boolean', default: false },
    scratch: { type: 'string' },
    child: { type: 'string' },
  },
});

/** The checkpoint's tensors in the family's Hugging Face layout (GPT-2 ties lm_head to wte; Pythia does not). */
function specs(s: Shape): TensorSpec[] {
  const { layers, dModel: D, dMlp: M, vocab: V, nCtx } = s;
  const out: TensorSpec[] = [];
  const t = (name: string, ...shape: number[]) => out.push({ name, shape });
  if (s.family === 'gpt2') {
    t('transformer.wte.weight', V, D);
    t('transformer.wpe.weight', nCtx, D);
    for (let l = 0; l < layers; l++) {
      const h = `transformer.h.${l}`;
      t(`${h}.ln_1.weight`, D);
      t(`${h}.ln_1.bias`, D);
      t(`${h}.attn.c_attn.weight`, D, 3 * D);
      t(`${h}.attn.c_attn.bias`, 3 * D);
      t(`${h}.attn.c_proj.weight`, D, D);
      t(`${h}.attn.c_proj.bias`, D);
      t(`${h}.ln_2.weight`, D);
      t(`${h}.ln_2.bias`, D);
      t(`${h}.mlp.c_fc.weight`, D, M);
      t(`${h}.mlp.c_fc.bias`, M);
      t(`${h}.mlp.c_proj.weight`, M, D);
      t(`${h}.mlp.c_proj.bias`, D);
    }
    t('transformer.ln_f.weight', D);
    t('transformer.ln_f.bias', D);
  } else {
    t('gpt_neox.embed_in.weight', V, D);
    for (let l = 0; l < layers; l++) {
      const h = `gpt_neox.layers.${l}`;
      t(`${h}.input_layernorm.weight`, D);
      t(`${h}.input_layernorm.bias`, D);
      t(`${h}.attention.query_key_value.weight`, 3 * D, D);
      t(`${h}.attention.query_key_value.bias`, 3 * D);
      t(`${h}.attention.dense.weight`, D, D);
      t(`${h}.attention.dense.bias`, D);
      t(`${h}.post_attention_layernorm.weight`, D);
      t(`${h}.post_attention_layernorm.bias`, D);
      t(`${h}.mlp.dense_h_to_4h.weight`, M, D);
      t(`${h}.mlp.dense_h_to_4h.bias`, M);
      t(`${h}.mlp.dense_4h_to_h.weight`, D, M);
      t(`${h}.mlp.dense_4h_to_h.bias`, D);
    }
    t('gpt_neox.final_layer_norm.weight', D);
    t('gpt_neox.final_layer_norm.bias', D);
    t('embed_out.weight', V, D);
  }
  return out;
}

function config(s: Shape): Record<string, unknown> {
  const torch_dtype = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' }[s.dtype];
  if (s.family === 'gpt2') {
    return {
      architectures: ['GPT2LMHeadModel'],
      model_type: 'gpt2',
      vocab_size: s.vocab,
      n_positions: s.nCtx,
      n_embd: s.dModel,
      n_layer: s.layers,
      n_head: s.heads,
      n_inner: s.dMlp,
      activation_function: 'gelu_new',
      layer_norm_epsilon: 1e-5,
      torch_dtype,
    };
  }
  return {
    architectures: ['GPTNeoXForCausalLM'],
    model_type: 'gpt_neox',
    vocab_size: s.vocab,
    max_position_embeddings: s.nCtx,
    hidden_size: s.dModel,
    num_hidden_layers: s.layers,
    num_attention_heads: s.heads,
    intermediate_size: s.dMlp,
    rotary_pct: 0.25,
    rotary_emb_base: 10000,
    hidden_act: 'gelu',
    use_parallel_residual: true,
    layer_norm_eps: 1e-5,
    tie_word_embeddings: false,
    torch_dtype,
  };
}

/** Random weights like an initialised transformer: matrices uniform with std 0.02, norms' weights near 1, small biases. */
function randomTensor(spec: TensorSpec, seed: number): Float32Array {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  const rng = makeRng(seed);
  let x = (rng.int(2 ** 31) | 1) >>> 0; // xorshift32: a seeded fill fast enough for 1.5 billion values
  const isNormWeight = /(ln_\d|ln_f|layernorm|layer_norm)\.weight$/.test(spec.name);
  const scale = spec.shape.length === 1 ? (isNormWeight ? 0.1 : 0.02) : 0.02 * Math.sqrt(3) * 2;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = (x / 2 ** 32 - 0.5) * scale + (isNormWeight ? 1 : 0);
  }
  return out;
}

const GB = 1e9;
const maxRss = () => process.resourceUsage().maxRSS * 1024;

async function child(s: Shape, dir: string): Promise<void> {
  const batch = Number(args.batch);
  const pos = Number(args.pos);
  let t = performance.now();
  const model = await loadHfFolder(dir, { name: s.name });
  const loadS = (performance.now() - t) / 1000;
  const rssAfterLoad = maxRss();
  const L = model.cfg.n_layers;
  const hooks = ['logits', ...Array.from({ length: L }, (_, l) => [`blocks.${l}.attn.hook_pattern`, `blocks.${l}.mlp.hook_post`]).flat()];
  t = performance.now();
  const runner = new OnnxRunner(model);
  await runner.prepare(hooks);
  const sessionS = (performance.now() - t) / 1000;
  const rng = makeRng(3);
  const tokens = Array.from({ length: batch }, () => Array.from({ length: pos }, () => rng.int(model.cfg.d_vocab)));
  let best = Infinity;
  for (let i = 0; i < Number(args.reps); i++) {
    t = performance.now();
    const cache = await runner.run(tokens, hooks);
    best = Math.min(best, performance.now() - t);
    runner.recycle(cache); // the next forward writes into the same arrays: no second set of hooks beside the garbage of the first
  }
  await runner.dispose();
  const weights = weightBytes(model);
  console.log(
    JSON.stringify({
      name: s.name,
      dtype: s.dtype,
      params: weights / 4,
      weightBytes: weights,
      loadS,
      sessionS,
      graphBytes: runner.lastBuild?.modelBytes,
      tokensPerS: (batch * pos) / (best / 1000),
      msPerForward: best,
      rssAfterLoad,
      peakRss: maxRss(),
    }),
  );
}

async function main(): Promise<void> {
  const scratch = args.scratch ?? fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-scale-'));
  if (args.child) {
    await child(
      SHAPES.find((s) => s.name === args.child)!,
      path.join(scratch, args.child),
    );
    return;
  }
  const wanted = args.only ? new Set(args.only.split(',')) : null;
  const shapes = SHAPES.filter((s) => !wanted || wanted.has(s.name));
  if (wanted && shapes.length !== wanted.size) throw new Error(`--only: unknown shape (known: ${SHAPES.map((s) => s.name).join(', ')})`);
  console.error(
    `scale benchmark: ${os.cpus().length} cores, ${(os.totalmem() / GB).toFixed(1)} GB, ${(os.freemem() / GB).toFixed(1)} GB available; batch ${args.batch} × ${args.pos}; scratch ${scratch}`,
  );
  const rows: Array<Record<string, number | string> & { target?: Shape['target'] }> = [];
  try {
    for (const s of shapes) {
      const dir = path.join(scratch, s.name);
      fs.mkdirSync(dir, { recursive: true });
      const t = performance.now();
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config(s), null, 2));
      const fileBytes = writeSafetensorsStream(
        path.join(dir, 'model.safetensors'),
        specs(s),
        (spec) => randomTensor(spec, spec.name.length * 7919 + spec.shape[0]),
        {
          dtype: s.dtype,
          metadata: { format: 'pt' },
        },
      );
      console.error(
        `  ${s.name}: wrote ${(fileBytes / GB).toFixed(2)} GB of ${s.dtype} in ${((performance.now() - t) / 1000).toFixed(0)} s`,
      );
      const self = fileURLToPath(import.meta.url);
      const run = spawnSync(
        process.execPath,
        [
          ...process.execArgv,
          self,
          '--child',
          s.name,
          '--scratch',
          scratch,
          '--batch',
          args.batch!,
          '--pos',
          args.pos!,
          '--reps',
          args.reps!,
        ],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
          maxBuffer: 1 << 20,
        },
      );
      if (!args.keep) fs.rmSync(dir, { recursive: true, force: true });
      const line = run.stdout.trim().split('\n').pop() ?? '';
      if (run.status !== 0 || !line.startsWith('{')) {
        console.error(`  ${s.name}: FAILED (exit ${run.status}${run.signal ? `, ${run.signal}` : ''})`);
        rows.push({ name: s.name, failed: `exit ${run.status ?? run.signal}` });
        continue;
      }
      const r = JSON.parse(line);
      console.error(`  ${s.name}: ${JSON.stringify(r)}`);
      rows.push({ ...r, fileBytes, target: s.target });
    }
  } finally {
    if (!args.keep && !args.scratch) fs.rmSync(scratch, { recursive: true, force: true });
  }
  const pad = (v: string | number, n: number) => String(v).padStart(n);
  console.log(
    `\n${'shape'.padEnd(18)}${pad('params', 8)}${pad('file GB', 9)}${pad('f32 GB', 8)}${pad('load s', 8)}${pad('session s', 10)}${pad('graph kB', 9)}` +
      `${pad('tokens/s', 10)}${pad('RSS load GB', 12)}${pad('peak RSS GB', 12)}${pad('peak/f32', 9)}  target`,
  );
  for (const r of rows) {
    if (r.failed) {
      console.log(`${String(r.name).padEnd(18)} failed: ${r.failed}`);
      continue;
    }
    const ratio = Number(r.peakRss) / Number(r.weightBytes);
    const target = r.target?.ratio
      ? `≤ ${r.target.ratio}× f32: ${ratio <= r.target.ratio ? 'met' : 'NOT met'}`
      : r.target?.bytes
        ? `≤ ${(r.target.bytes / GB).toFixed(1)} GB: ${Number(r.peakRss) <= r.target.bytes ? 'met' : 'NOT met'}`
        : 'runs';
    console.log(
      `${String(r.name).padEnd(18)}${pad(`${(Number(r.params) / 1e9).toFixed(2)}B`, 8)}${pad((Number(r.fileBytes) / GB).toFixed(2), 9)}` +
        `${pad((Number(r.weightBytes) / GB).toFixed(2), 8)}${pad(Number(r.loadS).toFixed(1), 8)}${pad(Number(r.sessionS).toFixed(1), 10)}` +
        `${pad((Number(r.graphBytes) / 1e3).toFixed(0), 9)}${pad(Number(r.tokensPerS).toFixed(0), 10)}${pad((Number(r.rssAfterLoad) / GB).toFixed(2), 12)}` +
        `${pad((Number(r.peakRss) / GB).toFixed(2), 12)}${pad(ratio.toFixed(2), 9)}  ${target}`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
