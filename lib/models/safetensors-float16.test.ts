import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { narrowToFloat16 } from '../engine/float16-weights';
import { makeRng } from '../sampling/random';
import { SafetensorsFileReader } from './safetensors-reader';
import { floatToHalf, serializeSafetensors, type WritableDtype } from './safetensors-write';
import type { Tensor } from './types';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-st16-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function randomTensor(seed: number, shape: number[], scale = 4): Tensor {
  const rng = makeRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float32Array.from({ length: n }, () => (rng.next() - 0.5) * scale) };
}

function write(name: string, tensors: Array<[string, Tensor]>, dtype: WritableDtype): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, serializeSafetensors(tensors, { dtype }));
  return file;
}

describe('SafetensorsFileReader.readFloat16 (16-bit tensors kept 16-bit)', () => {
  const tensors: Array<[string, Tensor]> = [
    ['a', randomTensor(1, [7, 5])],
    ['b', randomTensor(2, [33])],
    ['tiny', randomTensor(3, [4, 9], 1e-5)],
  ];

  it.each([1, 2, 6, 64, 1 << 20])('F16: the file bits exactly, whatever the chunk size (%i bytes)', (chunkBytes) => {
    const file = write('f16.safetensors', tensors, 'F16');
    const reader = new SafetensorsFileReader(file, chunkBytes);
    try {
      for (const [name, t] of tensors) {
        const half = reader.readFloat16(name);
        expect(half.shape).toEqual(t.shape);
        expect(half.data).toBeInstanceOf(Uint16Array);
        expect([...half.data]).toEqual([...t.data].map((v) => floatToHalf(v)));
      }
    } finally {
      reader.close();
    }
  });

  it.each(['F32', 'BF16'] as const)('%s: decoded chunk by chunk and narrowed as float32 → float16 would', (dtype) => {
    const file = write(`${dtype}.safetensors`, tensors, dtype);
    const reader = new SafetensorsFileReader(file, 12);
    try {
      for (const [name] of tensors) expect(reader.readFloat16(name).data).toEqual(narrowToFloat16(reader.read(name).data));
    } finally {
      reader.close();
    }
  });

  it('refuses a value beyond float16 (a bfloat16 checkpoint can hold 1e6): named, to be read as float32 instead', () => {
    const big = randomTensor(4, [10]);
    big.data[3] = 1e6;
    const file = write('big.safetensors', [['big', big]], 'BF16');
    const reader = new SafetensorsFileReader(file);
    try {
      expect(() => reader.readFloat16('big')).toThrow(/tensor big holds 999424, beyond float16's range/);
      expect(reader.read('big').data[3]).toBe(999424); // bfloat16's nearest value, still readable as float32
    } finally {
      reader.close();
    }
  });
});
