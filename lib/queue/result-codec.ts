/**
 * Staged job results as bytes: JSON, with typed arrays stored as their little-endian bytes after it so
 * that floats come back bit for bit (merging shards must equal a single-process run exactly), and
 * portable between machines and Node versions (unlike v8.serialize).
 */
const TYPED = {
  Float32Array,
  Float64Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
} as const;
type TypedName = keyof typeof TYPED;
const TAG = '$typed';

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('result-codec: big-endian machines are not supported');
}

/**
 * Framing: `HWR1`, the JSON's byte length (uint32 LE), the JSON, then every typed array's bytes, each padded to 8.
 * Typed arrays stay binary outside the JSON string: a GPT-2-sized neuron shard (hundreds of MB of stream state)
 * would pass V8's maximum string length as base64 inside JSON ("Invalid string length").
 */
const MAGIC = Buffer.from('HWR1', 'latin1');

export function encodeResult(value: unknown): Buffer {
  const blobs: Buffer[] = [];
  let offset = 0;
  const json = Buffer.from(
    JSON.stringify(value, function (this: unknown, _key, v) {
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
        const name = v.constructor.name as TypedName;
        if (!(name in TYPED)) throw new Error(`result-codec: cannot encode ${name}`);
        const bytes = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
        const ref = { [TAG]: name, at: offset, bytes: bytes.byteLength };
        const padded = (bytes.byteLength + 7) & ~7;
        blobs.push(bytes);
        if (padded > bytes.byteLength) blobs.push(Buffer.alloc(padded - bytes.byteLength));
        offset += padded;
        return ref;
      }
      if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`result-codec: ${v} at "${_key}" cannot be staged`);
      if (v instanceof Map || v instanceof Set) throw new Error(`result-codec: Map/Set at "${_key}": use plain objects/arrays`);
      return v;
    }) ?? 'null',
    'utf8',
  );
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.byteLength);
  return Buffer.concat([MAGIC, length, json, ...blobs]);
}

export function decodeResult<T = unknown>(bytes: Uint8Array): T {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Results staged before the binary framing: JSON with base64 typed arrays.
  if (!buf.subarray(0, 4).equals(MAGIC)) return decodeLegacy<T>(buf);
  const jsonLength = buf.readUInt32LE(4);
  const blobStart = 8 + jsonLength;
  return JSON.parse(buf.subarray(8, blobStart).toString('utf8'), (_key, v) => {
    if (v && typeof v === 'object' && typeof v[TAG] === 'string' && typeof v.at === 'number') {
      const Ctor = TYPED[v[TAG] as TypedName];
      if (!Ctor) throw new Error(`result-codec: unknown typed array ${v[TAG]}`);
      // Copy into a fresh, aligned buffer.
      const aligned = new Uint8Array(v.bytes);
      aligned.set(buf.subarray(blobStart + v.at, blobStart + v.at + v.bytes));
      return new Ctor(aligned.buffer, 0, v.bytes / Ctor.BYTES_PER_ELEMENT);
    }
    return v;
  }) as T;
}

function decodeLegacy<T>(buf: Buffer): T {
  return JSON.parse(buf.toString('utf8'), (_key, v) => {
    if (v && typeof v === 'object' && typeof v[TAG] === 'string' && typeof v.b64 === 'string') {
      const Ctor = TYPED[v[TAG] as TypedName];
      if (!Ctor) throw new Error(`result-codec: unknown typed array ${v[TAG]}`);
      const raw = Buffer.from(v.b64, 'base64');
      const aligned = new Uint8Array(raw.byteLength);
      aligned.set(raw);
      return new Ctor(aligned.buffer, 0, raw.byteLength / Ctor.BYTES_PER_ELEMENT);
    }
    return v;
  }) as T;
}
