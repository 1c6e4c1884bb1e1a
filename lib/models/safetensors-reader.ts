import fs from 'node:fs';
import { bytesPerValue, decodeInto, headerLengthOf, parseSafetensorsHeader, type SafetensorsEntry } from './safetensors';
import { floatToHalf } from './safetensors-write';
import type { Float16Tensor, Tensor } from './types';

/**
 * A safetensors file read by ranges: the header once, then each tensor on demand with positioned reads of at most
 * `chunkBytes` (default 64 MiB), converted to float32 chunk by chunk. Nothing ever holds the whole file, so files over
 * 2 GiB (Node's Buffer limit) load, and a float16 checkpoint costs its float32 tensors plus one chunk, not the file too.
 */
export const DEFAULT_CHUNK_BYTES = 64 * 2 ** 20;

export class SafetensorsFileReader {
  readonly entries: Map<string, SafetensorsEntry>;
  readonly metadata: Record<string, string>;
  private readonly dataStart: number;
  private fd: number | null;

  constructor(
    readonly file: string,
    private readonly chunkBytes = DEFAULT_CHUNK_BYTES,
  ) {
    if (!(chunkBytes >= 1)) throw new Error(`SafetensorsFileReader: chunkBytes must be positive, got ${chunkBytes}`);
    this.fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(this.fd).size;
      const first8 = this.readRange(0, Math.min(8, size));
      const headerLength = headerLengthOf(first8, size, file);
      this.dataStart = 8 + headerLength;
      const header = parseSafetensorsHeader(this.readRange(8, headerLength), size - this.dataStart, file);
      this.entries = header.entries;
      this.metadata = header.metadata;
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** A tensor as float32, read now (not cached: the caller keeps it or lets it go). */
  read(name: string): Tensor {
    const e = this.entries.get(name);
    if (!e) throw new Error(`${this.file}: no tensor ${name}`);
    const out = new Float32Array(e.count);
    const width = bytesPerValue(e.dtype);
    // Whole values per chunk; float32 data is read straight into the result, other types through one scratch buffer.
    const step = Math.max(width, Math.floor(this.chunkBytes / width) * width);
    const direct = e.dtype === 'F32' && LITTLE_ENDIAN_HOST;
    const scratch = direct ? null : new Uint8Array(Math.min(step, e.end - e.begin));
    const outBytes = new Uint8Array(out.buffer);
    for (let at = e.begin; at < e.end; at += step) {
      const length = Math.min(step, e.end - at);
      if (direct) this.readInto(outBytes.subarray(at - e.begin, at - e.begin + length), this.dataStart + at);
      else {
        const chunk = scratch!.subarray(0, length);
        this.readInto(chunk, this.dataStart + at);
        decodeInto(out, (at - e.begin) / width, chunk, e.dtype);
      }
    }
    return { shape: [...e.shape], data: out };
  }

  /**
   * A tensor as float16 bits, for a model that keeps its matrices 16-bit (lib/engine/float16-weights.ts): an F16
   * tensor is read straight into its Uint16Array (no float32 copy, half the memory of read()); BF16 / F32 / F64 are
   * decoded chunk by chunk and narrowed, and refused when a value is past float16's ±65504 (keep those float32).
   */
  readFloat16(name: string): Float16Tensor {
    const e = this.entries.get(name);
    if (!e) throw new Error(`${this.file}: no tensor ${name}`);
    const out = new Uint16Array(e.count);
    if (e.dtype === 'F16' && LITTLE_ENDIAN_HOST) {
      const outBytes = new Uint8Array(out.buffer);
      const step = Math.max(2, this.chunkBytes - (this.chunkBytes % 2));
      for (let at = e.begin; at < e.end; at += step) {
        const length = Math.min(step, e.end - at);
        this.readInto(outBytes.subarray(at - e.begin, at - e.begin + length), this.dataStart + at);
      }
      return { shape: [...e.shape], data: out };
    }
    const width = bytesPerValue(e.dtype);
    const step = Math.max(width, Math.floor(this.chunkBytes / width) * width);
    const scratch = new Uint8Array(Math.min(step, e.end - e.begin));
    const values = new Float32Array(scratch.byteLength / width);
    for (let at = e.begin; at < e.end; at += step) {
      const length = Math.min(step, e.end - at);
      const chunk = scratch.subarray(0, length);
      this.readInto(chunk, this.dataStart + at);
      const n = length / width;
      decodeInto(values, 0, chunk, e.dtype);
      const offset = (at - e.begin) / width;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (Math.abs(v) > 65504 && Number.isFinite(v)) {
          throw new Error(`${this.file}: tensor ${name} holds ${v}, beyond float16's range (±65504): read it as float32`);
        }
        out[offset + i] = floatToHalf(v);
      }
    }
    return { shape: [...e.shape], data: out };
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  private readRange(position: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.readInto(out, position);
    return out;
  }

  private readInto(target: Uint8Array, position: number): void {
    if (this.fd === null) throw new Error(`${this.file}: reader is closed`);
    let done = 0;
    while (done < target.byteLength) {
      const n = fs.readSync(this.fd, target, done, target.byteLength - done, position + done);
      if (n === 0)
        throw new Error(`${this.file}: unexpected end of file at byte ${position + done} (the file was truncated while being read)`);
      done += n;
    }
  }
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** What the loaders read a state dict through: a Map, or a lazy view over files that reads each tensor when asked. */
export interface TensorSource {
  has(name: string): boolean;
  get(name: string): Tensor | undefined;
  keys(): IterableIterator<string>;
  readonly size: number;
}

/**
 * The tensors of one or more safetensors files (a checkpoint's shards), read on each get() and not kept: a loader
 * that transforms each tensor into its canonical layout holds the canonical weights plus one tensor at a time.
 */
export class LazySafetensors implements TensorSource {
  private readonly where = new Map<string, SafetensorsFileReader>();

  constructor(readonly readers: SafetensorsFileReader[]) {
    for (const r of readers) for (const name of r.entries.keys()) this.where.set(name, r);
  }

  has(name: string): boolean {
    return this.where.has(name);
  }

  get(name: string): Tensor | undefined {
    return this.where.get(name)?.read(name);
  }

  /** A tensor as float16 bits (SafetensorsFileReader.readFloat16), read now. */
  getFloat16(name: string): Float16Tensor | undefined {
    return this.where.get(name)?.readFloat16(name);
  }

  keys(): IterableIterator<string> {
    return this.where.keys();
  }

  get size(): number {
    return this.where.size;
  }

  /** Every tensor, read now, as a Map (TransformerLens state dicts are already canonical: the map is the weights). */
  toMap(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const name of this.where.keys()) out.set(name, this.get(name)!);
    return out;
  }

  /** What the tensors take once widened to float32 (what loading them costs). */
  float32Bytes(): number {
    let bytes = 0;
    for (const [name, r] of this.where) bytes += 4 * r.entries.get(name)!.count;
    return bytes;
  }

  /** The checkpoint's dtype by bytes (F32, F16, BF16), recorded with runs. */
  dominantDtype(): string | undefined {
    const bytes = new Map<string, number>();
    for (const r of this.readers) for (const e of r.entries.values()) bytes.set(e.dtype, (bytes.get(e.dtype) ?? 0) + e.end - e.begin);
    return [...bytes].sort((a, b) => b[1] - a[1])[0]?.[0];
  }

  close(): void {
    for (const r of this.readers) r.close();
  }
}
