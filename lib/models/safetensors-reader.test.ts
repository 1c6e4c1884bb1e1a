import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxRunner } from '../engine/onnx-runner';
import { randomModel } from '../engine/random-model';
import { makeRng } from '../sampling/random';
import { gpt2Family } from './hf/gpt2';
import { gptNeoxFamily } from './hf/gpt-neox';
import { loadHfFolder } from './hf/load-hf-folder';
import { writeHfFolder } from './hf/write-hf-folder';
import { parseSafetensors } from './safetensors';
import { openSafetensorsFolder } from './safetensors-files';
import { LazySafetensors, SafetensorsFileReader } from './safetensors-reader';
import { writeSafetensorsStream } from './safetensors-stream';
import { serializeSafetensors, type WritableDtype } from './safetensors-write';
import type { CanonicalModel, Tensor } from './types';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-str-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function randomTensor(seed: number, shape: number[]): Tensor {
  const rng = makeRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float32Array.from({ length: n }, () => (rng.next() - 0.5) * 4) };
}

describe('SafetensorsFileReader (ranged reads)', () => {
  const tensors: Array<[string, Tensor]> = [
    ['a', randomTensor(1, [7, 5])],
    ['b', randomTensor(2, [13])],
    ['c', randomTensor(3, [3, 4, 2])],
  ];

  it.each<WritableDtype>(['F32', 'F16', 'BF16'])('%s: reading in 8- and 6-byte chunks gives what parsing the whole file gives', (dtype) => {
    const bytes = serializeSafetensors(tensors, { dtype });
    const file = path.join(tmp, `chunks-${dtype}.safetensors`);
    fs.writeFileSync(file, bytes);
    const whole = parseSafetensors(bytes, file).tensors;
    for (const chunk of [8, 6, 1 << 20]) {
      const reader = new SafetensorsFileReader(file, chunk);
      try {
        for (const [name] of tensors) {
          const t = reader.read(name);
          expect(t.shape).toEqual(whole.get(name)!.shape);
          expect(Array.from(t.data)).toEqual(Array.from(whole.get(name)!.data));
        }
      } finally {
        reader.close();
      }
    }
  });

  it('the streaming writer writes what serializeSafetensors writes, byte for byte', () => {
    for (const dtype of ['F32', 'F16', 'BF16'] as WritableDtype[]) {
      const file = path.join(tmp, `stream-${dtype}.safetensors`);
      const written = writeSafetensorsStream(
        file,
        tensors.map(([name, t]) => ({ name, shape: t.shape })),
        (s) => tensors.find(([n]) => n === s.name)![1].data,
        {
          dtype,
          metadata: { format: 'pt' },
        },
      );
      const expected = serializeSafetensors(tensors, { dtype, metadata: { format: 'pt' } });
      expect(written).toBe(expected.byteLength);
      expect(Buffer.compare(fs.readFileSync(file), Buffer.from(expected))).toBe(0);
    }
  });

  it('a file cut short fails with its name, at open (data missing) or while reading', () => {
    const bytes = serializeSafetensors(tensors);
    const cut = path.join(tmp, 'cut.safetensors');
    fs.writeFileSync(cut, bytes.subarray(0, bytes.byteLength - 3));
    expect(() => new SafetensorsFileReader(cut)).toThrow(/cut.safetensors: tensor c: truncated data/);
    fs.writeFileSync(cut, bytes.subarray(0, 5));
    expect(() => new SafetensorsFileReader(cut)).toThrow(/cut.safetensors: not a safetensors file: 5 bytes/);
    // Truncated after the header was checked (a file still being copied): the read says so.
    fs.writeFileSync(cut, bytes);
    const reader = new SafetensorsFileReader(cut, 8);
    fs.truncateSync(cut, bytes.byteLength - 3);
    expect(() => reader.read('c')).toThrow(/cut.safetensors: unexpected end of file/);
    reader.close();
  });

  it('offsets past 2 GiB: a sparse 3 GiB file with a tensor at its end reads by position', () => {
    const file = path.join(tmp, 'big.safetensors');
    const gap = 3 * 2 ** 30;
    const t = randomTensor(9, [6]);
    const header = {
      pad: { dtype: 'F32', shape: [gap / 4], data_offsets: [0, gap] },
      t: { dtype: 'F32', shape: [6], data_offsets: [gap, gap + 24] },
    };
    let json = JSON.stringify(header);
    json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8);
    const start = new Uint8Array(8 + json.length);
    new DataView(start.buffer).setBigUint64(0, BigInt(json.length), true);
    start.set(new TextEncoder().encode(json), 8);
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, start, 0, start.byteLength, 0);
    fs.writeSync(fd, new Uint8Array(t.data.buffer), 0, 24, start.byteLength + gap); // sparse: nothing written in between
    fs.closeSync(fd);
    const lazy = new LazySafetensors([new SafetensorsFileReader(file)]);
    try {
      expect(lazy.float32Bytes()).toBe(gap + 24);
      expect(Array.from(lazy.get('t')!.data)).toEqual(Array.from(t.data));
    } finally {
      lazy.close();
      fs.rmSync(file);
    }
  });
});

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

async function logits(model: CanonicalModel, tokens: number[][]): Promise<Float32Array> {
  const runner = new OnnxRunner(model);
  try {
    return (await runner.run(tokens, ['logits'])).get('logits')!.data;
  } finally {
    await runner.dispose();
  }
}

describe('16-bit checkpoints', () => {
  const cases = [
    { family: gpt2Family, cfg: { d_model: 32, n_heads: 4, d_head: 8, d_mlp: 64, act_fn: 'gelu_new' as const } },
    {
      family: gptNeoxFamily,
      cfg: { positional_embedding_type: 'rotary' as const, rotary_dim: 2, parallel_attn_mlp: true, act_fn: 'gelu' as const },
    },
  ];
  it.each(cases.flatMap((c) => (['F16', 'BF16'] as WritableDtype[]).map((dtype) => ({ ...c, dtype }))))(
    '$family.modelTypes.0 $dtype: float32 logits within tolerance of the float32 model, dtype recorded',
    async ({ family, cfg, dtype }) => {
      const original = randomModel({ ...cfg, n_ctx: 32 }, { seed: 11 });
      original.weights.delete('unembed.b_U'); // HF causal LMs of these families have none
      const dir = path.join(tmp, `${family.modelTypes[0]}-${dtype}`);
      await writeHfFolder(dir, original, family, { dtype });
      const loaded = await loadHfFolder(dir);
      expect(loaded.source.dtype).toBe(dtype);
      for (const t of loaded.weights.values()) expect(t.data).toBeInstanceOf(Float32Array);
      const input = [[1, 5, 9, 2, 7, 3]];
      const [want, got] = await Promise.all([logits(original, input), logits(loaded, input)]);
      const scale = Math.max(...Array.from(want, Math.abs));
      // float16 keeps 11 significant bits, bfloat16 8: relative errors of ~1e-3 and ~1e-2 through a 2-layer model.
      expect(maxAbsDiff(want, got) / scale).toBeLessThan(dtype === 'F16' ? 5e-3 : 5e-2);
      expect(maxAbsDiff(want, got)).toBeGreaterThan(0); // it did go through 16 bits
    },
  );

  it('the lazy folder view reads a tensor only when asked, and again each time (nothing cached)', async () => {
    const model = randomModel({}, { seed: 3 });
    model.weights.delete('unembed.b_U');
    const dir = path.join(tmp, 'lazy');
    await writeHfFolder(dir, model, gpt2Family, { dtype: 'F16', shards: 2 });
    const lazy = await openSafetensorsFolder(dir, { chunkBytes: 16 });
    try {
      expect(lazy.size).toBeGreaterThan(10);
      const first = lazy.get('transformer.wte.weight')!;
      const second = lazy.get('transformer.wte.weight')!;
      expect(second.data).not.toBe(first.data);
      expect(Array.from(second.data)).toEqual(Array.from(first.data));
      expect(lazy.dominantDtype()).toBe('F16');
    } finally {
      lazy.close();
    }
  });
});
