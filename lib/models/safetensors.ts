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

/** One tensor's place in a safetensors file: offsets relative to the data section (after the header). */
export interface SafetensorsEntry {
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
  count: number;
}

export interface SafetensorsHeader {
  entries: Map<string, SafetensorsEntry>;
  metadata: Record<string, string>;
}

export function bytesPerValue(dtype: string): number {
  return BYTES_PER_VALUE[dtype];
}

/** The 8-byte header length, checked against the file's size. */
export function headerLengthOf(first8: Uint8Array, fileBytes: number, file: string): number {
  if (fileBytes < 8 || first8.byteLength < 8)
    throw new Error(`${file}: not a safetensors file: ${fileBytes} bytes, shorter than the 8-byte header length`);
  const headerLength = Number(new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES) throw new Error(`${file}: not a safetensors file: header length ${headerLength} is absurd`);
  if (8 + headerLength > fileBytes) {
    throw new Error(
      `${file}: truncated safetensors header: it declares ${headerLength} bytes but the file has only ${fileBytes - 8} after the length`,
    );
  }
  return headerLength;
}

/** The JSON header (its bytes, without the length) checked against a data section of `dataLength` bytes. */
export function parseSafetensorsHeader(json: Uint8Array, dataLength: number, file: string): SafetensorsHeader {
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (e) {
    throw new Error(`${file}: safetensors header is not valid JSON (${(e as Error).message})`, { cause: e });
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header))
    throw new Error(`${file}: safetensors header is not a JSON object`);
  const entries = new Map<string, SafetensorsEntry>();
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
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isInteger(o) && o >= 0) ||
      offsets[1] < offsets[0]
    ) {
      throw fail(`bad data_offsets ${JSON.stringify(offsets)}`);
    }
    const count = shape.reduce((a, b) => a * b, 1);
    const [begin, end] = offsets;
    if (end - begin !== count * BYTES_PER_VALUE[dtype]) {
      throw fail(`shape [${shape.join(', ')}] of ${dtype} needs ${count * BYTES_PER_VALUE[dtype]} bytes, data_offsets give ${end - begin}`);
    }
    if (end > dataLength) throw fail(`truncated data: it ends at byte ${end} of the data section, which has only ${dataLength} bytes`);
    entries.set(name, { dtype, shape: [...shape], begin, end, count });
  }
  return { entries, metadata };
}

/** A whole safetensors file already in memory (small files, tests); big files are read by ranges (safetensors-reader.ts). */
export function parseSafetensors(bytes: Uint8Array, file: string): Safetensors {
  const headerLength = headerLengthOf(bytes.subarray(0, 8), bytes.byteLength, file);
  const dataStart = 8 + headerLength;
  const { entries, metadata } = parseSafetensorsHeader(bytes.subarray(8, dataStart), bytes.byteLength - dataStart, file);
  const tensors = new Map<string, Tensor>();
  for (const [name, e] of entries) {
    const out = new Float32Array(e.count);
    decodeInto(out, 0, bytes.subarray(dataStart + e.begin, dataStart + e.end), e.dtype);
    tensors.set(name, { shape: e.shape, data: out });
  }
  return { tensors, metadata };
}

/**
 * Decodes little-endian values of `dtype` from `bytes` into out[at ...] as float32: F32 copied, F16 through a
 * lookup table, BF16 as the top half of a float32, F64 rounded. Chunks must hold whole values.
 */
export function decodeInto(out: Float32Array, at: number, bytes: Uint8Array, dtype: string): void {
  const width = BYTES_PER_VALUE[dtype];
  const count = bytes.byteLength / width;
  if (!Number.isInteger(count)) throw new Error(`decodeInto: ${bytes.byteLength} bytes are not whole ${dtype} values`);
  const aligned = bytes.byteOffset % width === 0;
  if (LITTLE_ENDIAN_HOST && aligned) {
    switch (dtype) {
      case 'F32':
        out.set(new Float32Array(bytes.buffer, bytes.byteOffset, count), at);
        return;
      case 'F16': {
        const table = halfTable();
        const u16 = new Uint16Array(bytes.buffer, bytes.byteOffset, count);
        for (let i = 0; i < count; i++) out[at + i] = table[u16[i]];
        return;
      }
      case 'BF16': {
        // bfloat16 is the top half of a float32.
        const u16 = new Uint16Array(bytes.buffer, bytes.byteOffset, count);
        const u32 = new Uint32Array(out.buffer, out.byteOffset + at * 4, count);
        for (let i = 0; i < count; i++) u32[i] = u16[i] << 16;
        return;
      }
    }
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'F32':
      for (let i = 0; i < count; i++) out[at + i] = view.getFloat32(i * 4, true);
      break;
    case 'F64':
      for (let i = 0; i < count; i++) out[at + i] = view.getFloat64(i * 8, true);
      break;
    case 'F16': {
      const table = halfTable();
      for (let i = 0; i < count; i++) out[at + i] = table[view.getUint16(i * 2, true)];
      break;
    }
    case 'BF16': {
      const u32 = new Uint32Array(out.buffer, out.byteOffset + at * 4, count);
      for (let i = 0; i < count; i++) u32[i] = view.getUint16(i * 2, true) << 16;
      break;
    }
  }
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
