import fs from 'node:fs';
import { floatToBfloat16, floatToHalf, type WritableDtype } from './safetensors-write';

/**
 * Writes a safetensors file tensor by tensor (benchmarks' multi-GiB random checkpoints, exports of big models):
 * the header from the shapes alone, then each tensor made by `make` when its turn comes and written at once, so no
 * more than one tensor (plus its 16-bit encoding) is ever in memory. Same layout as serializeSafetensors.
 */
export interface TensorSpec {
  name: string;
  shape: number[];
}

export function writeSafetensorsStream(
  file: string,
  specs: TensorSpec[],
  make: (spec: TensorSpec) => Float32Array,
  opts: { dtype?: WritableDtype; metadata?: Record<string, string> } = {},
): number {
  const dtype = opts.dtype ?? 'F32';
  const width = dtype === 'F32' ? 4 : 2;
  const header: Record<string, unknown> = {};
  if (opts.metadata) header.__metadata__ = opts.metadata;
  let offset = 0;
  for (const { name, shape } of specs) {
    const bytes = shape.reduce((a, b) => a * b, 1) * width;
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const fd = fs.openSync(file, 'w');
  try {
    const length = new Uint8Array(8);
    new DataView(length.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
    let position = 0;
    const write = (bytes: Uint8Array) => {
      for (let done = 0; done < bytes.byteLength;) done += fs.writeSync(fd, bytes, done, bytes.byteLength - done, position + done);
      position += bytes.byteLength;
    };
    write(length);
    write(headerBytes);
    for (const spec of specs) {
      const data = make(spec);
      const count = spec.shape.reduce((a, b) => a * b, 1);
      if (data.length !== count)
        throw new Error(`writeSafetensorsStream: ${spec.name} has ${data.length} values, its shape needs ${count}`);
      if (dtype === 'F32') {
        write(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        continue;
      }
      const bits = new Uint16Array(count);
      if (dtype === 'F16') for (let i = 0; i < count; i++) bits[i] = floatToHalf(data[i]);
      else for (let i = 0; i < count; i++) bits[i] = floatToBfloat16(data[i]);
      write(new Uint8Array(bits.buffer));
    }
    return position;
  } finally {
    fs.closeSync(fd);
  }
}
