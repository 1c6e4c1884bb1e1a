/**
 * Position reductions of a forward batch on the host, in WebAssembly (source: ./wasm/reduce-positions.ts): per
 * context (batch row) and unit the max, its first position, the min and the float32 sums Σx, Σx², Σx³, Σx⁴, #x > 0
 * over the row's observed positions — bit for bit lib/engine/reductions.ts' `reduceOnHost` (tested), with the argmax.
 *
 * Why: the same reductions as ONNX nodes are many unfused passes through memory on the CPU execution provider; this
 * is one pass. On an accelerator the graph's reductions stay the cheaper choice (workers/neurons/scan.ts decides).
 *
 *   const r = new PositionReducer(units);
 *   const out = r.reduce(data, batch, seq, firsts, ends); // data [batch, seq, units]; row b: positions [firsts[b], ends[b])
 *   out.max[b * units + u], out.argMax[…], out.min[…], out.sums[(b * 5 + s) * units + u]   (views: valid until the next reduce)
 */
import { REDUCE_POSITIONS_WASM } from './reduce-positions-wasm';

interface ReducerExports {
  reducePositions(...args: number[]): void;
}

let compiled: WebAssembly.Module | undefined;
function reducerModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(Buffer.from(REDUCE_POSITIONS_WASM, 'base64'));
  return compiled;
}

const PAGE = 65536;
const align16 = (n: number) => Math.ceil(n / 16) * 16;

export interface HostReduced {
  /** [batch, units] */
  max: Float32Array;
  /** [batch, units]: the first position of the max, −1 for a row without observed positions. */
  argMax: Int32Array;
  min: Float32Array;
  /** [batch, 5, units] */
  sums: Float32Array;
  /** When asked for: [batch, units, seq], each row unit-major over positions [0, ends[b]) (the rest is not written). */
  transposed?: Float32Array;
}

export class PositionReducer {
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  private readonly exports: ReducerExports;

  constructor(readonly units: number) {
    if (!(Number.isInteger(units) && units > 0)) throw new Error(`PositionReducer: units must be a positive integer, got ${units}`);
    this.exports = new WebAssembly.Instance(reducerModule(), { env: { memory: this.memory } }).exports as unknown as ReducerExports;
  }

  /**
   * Reduces `data` [batch, seq, units]; row b over positions [firsts[b], ends[b]), 0 ≤ firsts[b], ends[b] ≤ seq.
   * `transpose`: also the batch unit-major (for copying many example windows), in the same pass.
   */
  reduce(
    data: Float32Array,
    batch: number,
    seq: number,
    firsts: ArrayLike<number>,
    ends: ArrayLike<number>,
    transpose = false,
  ): HostReduced {
    const units = this.units;
    const values = batch * seq * units;
    if (data.length < values) throw new Error(`PositionReducer: ${data.length} values; [${batch}, ${seq}, ${units}] needs ${values}`);
    // Layout: data, firsts, ends, max, argMax, min, sums.
    const at = { data: 0, firsts: align16(values * 4), ends: 0, max: 0, argMax: 0, min: 0, sums: 0, end: 0 };
    at.ends = align16(at.firsts + batch * 4);
    at.max = align16(at.ends + batch * 4);
    at.argMax = align16(at.max + batch * units * 4);
    at.min = align16(at.argMax + batch * units * 4);
    at.sums = align16(at.min + batch * units * 4);
    const transposedAt = align16(at.sums + batch * 5 * units * 4);
    at.end = transpose ? transposedAt + values * 4 : transposedAt;
    const pages = Math.ceil(at.end / PAGE);
    const have = this.memory.buffer.byteLength / PAGE;
    if (pages > have) this.memory.grow(pages - have);
    const buf = this.memory.buffer;
    new Float32Array(buf, 0, values).set(values === data.length ? data : data.subarray(0, values));
    const f = new Int32Array(buf, at.firsts, batch);
    const e = new Int32Array(buf, at.ends, batch);
    for (let b = 0; b < batch; b++) {
      const first = firsts[b];
      const end = ends[b];
      if (!(Number.isInteger(first) && Number.isInteger(end) && first >= 0 && end <= seq))
        throw new Error(`PositionReducer: row ${b} positions [${first}, ${end}) outside [0, ${seq})`);
      f[b] = first;
      e[b] = end;
    }
    this.exports.reducePositions(
      batch,
      seq,
      units,
      at.data,
      at.firsts,
      at.ends,
      at.max,
      at.argMax,
      at.min,
      at.sums,
      transpose ? transposedAt : 0,
    );
    return {
      max: new Float32Array(buf, at.max, batch * units),
      argMax: new Int32Array(buf, at.argMax, batch * units),
      min: new Float32Array(buf, at.min, batch * units),
      sums: new Float32Array(buf, at.sums, batch * 5 * units),
      ...(transpose ? { transposed: new Float32Array(buf, transposedAt, values) } : {}),
    };
  }
}
