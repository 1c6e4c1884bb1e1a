import type { Tensor } from './types';

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON
 * `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?: {...}}`, then the raw tensor data
 * (offsets relative to the end of the header). Every tensor is returned as float32: F32 as is,
 * F16 / BF16 / F64 converted. Truncated or inconsistent files fail with the file and tensor named.
 */
export interface Safetensors {
  tensors: Map<string, Tensor>;
  metadata: Record<string, string>;
}

const BYTES_PER_VALUE: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8 };
/** Headers beyond this are not real checkpoints (the format itself caps them at 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

export function parseSafetensors(bytes: Uint8Array, file: string): Safetensors {
  if (bytes.byteLength < 8) throw new Error(`${file}: not a safetensors file: ${bytes.byteLength} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES) throw new Error(`${file}: not a safetensors file: header length ${headerLength} is absurd`);
  if (8 + headerLength > bytes.byteLength) {
    throw new Error(`${file}: truncated safetensors header: it declares ${headerLength} bytes but the file has only ${bytes.byteLength - 8} after the length`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    throw new Error(`${file}: safetensors header is not valid JSON (${(e as Error).message})`, { cause: e });
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new Error(`${file}: safetensors header is not a JSON object`);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.byteLength - dataStart;
  const tensors = new Map<string, Tensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = (entry ?? {}) as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as { dtype?: string; shape?: number[]; data_offsets?: number[] };
    const fail = (what: string) => new Error(`${file}: tensor ${name}: ${what}`);
    if (typeof dtype !== 'string' || !(dtype in BYTES_PER_VALUE)) {
      throw fail(`dtype ${JSON.stringify(dtype)} is not supported (F32, F16, BF16, F64)`);
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw fail(`bad shape ${JSON.stringify(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0) || offsets[1] < offsets[0]) {
      throw fail(`bad data_offsets ${JSON.stringify(offsets)}`);
    }
    const count = shape.reduce((a, b) => a * b, 1);
    const [begin, end] = offsets;
    if (end - begin !== count * BYTES_PER_VALUE[dtype]) {
      throw fail(`shape [${shape.join(', ')}] of ${dtype} needs ${count * BYTES_PER_VALUE[dtype]} bytes, data_offsets give ${end - begin}`);
    }
    if (end > dataLength) throw fail(`truncated data: it ends at byte ${end} of the data section, which has only ${dataLength} bytes`);
    tensors.set(name, { shape: [...shape], data: toFloat32(bytes, dataStart + begin, count, dtype) });
  }
  return { tensors, metadata };
}

function toFloat32(bytes: Uint8Array, offset: number, count: number, dtype: string): Float32Array {
  // One bulk copy on little-endian hosts (every real machine); the copy also aligns the data.
  if (dtype === 'F32' && LITTLE_ENDIAN_HOST) return new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + count * 4));
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * BYTES_PER_VALUE[dtype]);
  const out = new Float32Array(count);
  switch (dtype) {
    case 'F32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      break;
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      break;
    case 'F16': {
      const table = halfTable();
      for (let i = 0; i < count; i++) out[i] = table[view.getUint16(i * 2, true)];
      break;
    }
    case 'BF16': {
      // bfloat16 is the top half of a float32.
      const u32 = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) u32[i] = view.getUint16(i * 2, true) << 16;
      break;
    }
  }
  return out;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** All 65,536 half-precision values as float32 (a lookup is much faster than decoding each value). */
let halfValues: Float32Array | null = null;
function halfTable(): Float32Array {
  if (!halfValues) {
    halfValues = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfValues[h] = halfToFloat(h);
  }
  return halfValues;
}

/** IEEE 754 half precision → number (subnormals, infinities and NaN included). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
