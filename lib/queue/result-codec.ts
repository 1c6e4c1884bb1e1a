/**
 * Staged job results as bytes: JSON, with typed arrays stored as base64 of their little-endian bytes so
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

export function encodeResult(value: unknown): Buffer {
  return Buffer.from(
    JSON.stringify(value, function (this: unknown, _key, v) {
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
        const name = v.constructor.name as TypedName;
        if (!(name in TYPED)) throw new Error(`result-codec: cannot encode ${name}`);
        return { [TAG]: name, b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
      }
      if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`result-codec: ${v} at "${_key}" cannot be staged`);
      if (v instanceof Map || v instanceof Set) throw new Error(`result-codec: Map/Set at "${_key}": use plain objects/arrays`);
      return v;
    }),
    'utf8',
  );
}

export function decodeResult<T = unknown>(bytes: Uint8Array): T {
  return JSON.parse(Buffer.from(bytes).toString('utf8'), (_key, v) => {
    if (v && typeof v === 'object' && typeof v[TAG] === 'string' && typeof v.b64 === 'string') {
      const Ctor = TYPED[v[TAG] as TypedName];
      if (!Ctor) throw new Error(`result-codec: unknown typed array ${v[TAG]}`);
      const raw = Buffer.from(v.b64, 'base64');
      // Copy into a fresh, aligned buffer.
      const aligned = new Uint8Array(raw.byteLength);
      aligned.set(raw);
      return new Ctor(aligned.buffer, 0, raw.byteLength / Ctor.BYTES_PER_ELEMENT);
    }
    return v;
  }) as T;
}
