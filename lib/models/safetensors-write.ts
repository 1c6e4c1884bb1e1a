import { halfToFloat } from './safetensors';
import type { Tensor } from './types';

/**
 * Writes the safetensors format (see safetensors.ts for the layout): tests build checkpoints in every
 * Hugging Face layout with it, and an export can write canonical weights. The header is padded with
 * spaces to a multiple of 8 bytes, as the reference implementation does, so tensor data stays aligned.
 */
export type WritableDtype = 'F32' | 'F16' | 'BF16';

export function serializeSafetensors(
  tensors: Iterable<[string, Tensor]>,
  opts: { dtype?: WritableDtype; metadata?: Record<string, string> } = {},
): Uint8Array {
  const dtype = opts.dtype ?? 'F32';
  const width = dtype === 'F32' ? 4 : 2;
  const header: Record<string, unknown> = {};
  if (opts.metadata) header.__metadata__ = opts.metadata;
  const entries = [...tensors];
  let offset = 0;
  for (const [name, t] of entries) {
    const bytes = t.data.length * width;
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const [, t] of entries) {
    for (let i = 0; i < t.data.length; i++, at += width) {
      if (dtype === 'F32') view.setFloat32(at, t.data[i], true);
      else view.setUint16(at, dtype === 'F16' ? floatToHalf(t.data[i]) : floatToBfloat16(t.data[i]), true);
    }
  }
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → bfloat16 bits, rounding to nearest even (as PyTorch's .to(torch.bfloat16)). */
export function floatToBfloat16(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  if (Number.isNaN(x)) return 0x7fc0;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** float32 → IEEE half bits, rounding to nearest even; overflow gives ±Infinity, tiny values subnormals or 0. */
export function floatToHalf(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = mantissa | 0x800000; // the implicit leading 1
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = m & ((1 << shift) - 1);
    let value = m >>> shift;
    if (rest > half || (rest === half && value & 1)) value++;
    return sign | value;
  }
  let value = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && value & 1)) value++; // may carry into the exponent: still correct
  return sign | value;
}

/** The values a tensor holds after a round trip through `dtype` (tests compare loaders on exactly representable weights). */
export function roundToDtype(data: Float32Array, dtype: WritableDtype): Float32Array {
  if (dtype === 'F32') return data.slice();
  const out = new Float32Array(data.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < data.length; i++) {
    if (dtype === 'BF16') outBits[i] = floatToBfloat16(data[i]) << 16;
    else out[i] = halfToFloat(floatToHalf(data[i]));
  }
  return out;
}
