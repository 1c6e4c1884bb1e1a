/**
 * The WebAssembly kernel of UnitStream's hot loop (source: ./wasm/observe-context.ts, AssemblyScript) and the
 * memory it works in. One kernel per stream: the stream's per-unit arrays the loop reads and writes live in
 * the kernel's memory while the stream observes contexts (UnitStream copies them in and back: see there).
 *
 *   const k = new ContextKernel(units, bins);
 *   k.context(n).set(...)         // the context's activations, [n × units], then k.keys[p] = tokenKey(...)
 *   const candidates = k.observe(n, first)
 *   k.maxVal, k.argMax, k.minVal, k.sum(1..4), k.candidates  // results
 */
import { OBSERVE_CONTEXT_WASM } from './observe-context-wasm';
import { EXACT_SUM_LIMBS, type ExactSums } from './exact-sum';

interface KernelExports {
  observeContext(...args: number[]): number;
  addSumsExactly(units: number, sums: number, limbs: number): void;
  normalizeLimbs(count: number, limbs: number): void;
}

let compiled: WebAssembly.Module | undefined;
function kernelModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(Buffer.from(OBSERVE_CONTEXT_WASM, 'base64'));
  return compiled;
}

const PAGE = 65536;
const align16 = (n: number) => Math.ceil(n / 16) * 16;

export class ContextKernel {
  private readonly memory: WebAssembly.Memory;
  private readonly exports: KernelExports;
  /** Byte offsets of the arrays (fixed part first; the per-context buffers last, so they can grow). */
  private readonly at: Record<
    | 'lo'
    | 'scale'
    | 'hi'
    | 'slots'
    | 'randomBar'
    | 'positive'
    | 'maxVal'
    | 'minVal'
    | 'argMax'
    | 'sums'
    | 'limbs'
    | 'keys'
    | 'keys32'
    | 'data'
    | 'cand'
    | 'transposed'
    | 'exceptions',
    number
  >;
  private positions = 0;
  lo!: Float64Array;
  scale!: Float64Array;
  hi!: Float64Array;
  /** Per histogram slot, [count since `startCounting`, the slot sample's bar as u32]. */
  private slots!: Uint32Array;
  randomBar!: Float64Array;
  positive!: Float64Array;
  maxVal!: Float64Array;
  minVal!: Float64Array;
  argMax!: Float64Array;
  private sums!: Float64Array;
  keys!: Float64Array;
  private keys32!: Uint32Array;
  private data!: Float32Array;
  /** (unit, position, slot) triples written by `observe`. */
  candidates!: Int32Array;
  /** The last context unit-major, [units × n], when `observe` was asked for it: unit u's row starts at u · n. */
  transposed!: Float32Array;

  constructor(
    readonly units: number,
    readonly bins: number,
  ) {
    const slots = units * (bins + 2);
    const sizes: [keyof ContextKernel['at'], number][] = [
      ['lo', units * 8],
      ['scale', units * 8],
      ['hi', units * 8],
      ['slots', slots * 8],
      ['randomBar', units * 8],
      ['positive', units * 8],
      ['maxVal', units * 8],
      ['minVal', units * 8],
      ['argMax', units * 8],
      ['sums', 4 * units * 8],
      ['limbs', 4 * units * EXACT_SUM_LIMBS * 8],
    ];
    const at = {} as ContextKernel['at'];
    let end = 0;
    for (const [name, bytes] of sizes) {
      at[name] = end;
      end = align16(end + bytes);
    }
    at.keys = end;
    this.at = at;
    this.memory = new WebAssembly.Memory({ initial: Math.ceil(end / PAGE) + 1 });
    this.exports = new WebAssembly.Instance(kernelModule(), { env: { memory: this.memory } }).exports as unknown as KernelExports;
    this.ensurePositions(128);
  }

  /** The kernel's input buffer for a context of `n` positions ([n × units], position-major). */
  context(n: number): Float32Array {
    this.ensurePositions(n);
    return this.data.subarray(0, n * this.units);
  }

  /**
   * Runs the loop over positions [first, n) of the context in `context(n)` (keys in `keys`); returns the candidate
   * count. `transpose`: also write the context unit-major into `transposed` (for many window copies).
   */
  observe(n: number, first: number, transpose = false): number {
    if (n > this.positions) throw new Error(`ContextKernel: context of ${n} positions, buffers hold ${this.positions}`);
    for (let p = first; p < n; p++) this.keys32[p] = this.keys[p];
    const a = this.at;
    return this.exports.observeContext(
      n,
      first,
      this.units,
      this.bins,
      a.data,
      a.keys,
      a.keys32,
      a.lo,
      a.scale,
      a.hi,
      a.slots,
      a.randomBar,
      a.positive,
      a.maxVal,
      a.minVal,
      a.argMax,
      a.sums,
      a.cand,
      transpose ? a.transposed : 0,
      a.exceptions,
    );
  }

  /**
   * Zeroes the slot counts and the exact sums (the kernel counts from here) and loads the slot samples' bars
   * (keys; +Infinity: empty).
   */
  startCounting(binBar: Float64Array): void {
    const slots = this.slots;
    for (let i = 0; i < binBar.length; i++) {
      slots[2 * i] = 0;
      this.setBinBar(i, binBar[i]);
    }
    new Uint8Array(this.memory.buffer, this.at.limbs, 4 * this.units * EXACT_SUM_LIMBS * 8).fill(0);
  }

  /** Adds the last context's sums (`sum(1..4)`) exactly into the kernel's exact sums. */
  addSums(): void {
    this.exports.addSumsExactly(this.units, this.at.sums, this.at.limbs);
  }

  /** Adds the counts since `startCounting` into `counts` (Float64, one per slot). */
  addCountsTo(counts: Float64Array): void {
    const slots = this.slots;
    for (let i = 0; i < counts.length; i++) counts[i] += slots[2 * i];
  }

  /** Adds the exact sums since `startCounting` into `totals` (Σx^p for p = 1..4, one sum per unit each). */
  addExactSumsTo(totals: ExactSums[]): void {
    const a = this.at;
    const count = 4 * this.units;
    this.exports.normalizeLimbs(count, a.limbs);
    // Limbs are i64; after normalizing, every one is a small integer: read as (high i32) · 2^32 + (low u32).
    const words = new Int32Array(this.memory.buffer, a.limbs, count * EXACT_SUM_LIMBS * 2);
    const limb = new Float64Array(EXACT_SUM_LIMBS);
    for (let i = 0; i < count; i++) {
      let any = false;
      for (let k = 0, w = i * EXACT_SUM_LIMBS * 2; k < EXACT_SUM_LIMBS; k++, w += 2) {
        limb[k] = words[w + 1] * 4294967296 + (words[w] >>> 0);
        if (limb[k] !== 0) any = true;
      }
      if (any) totals[Math.floor(i / this.units)].addLimbs(i % this.units, limb);
    }
  }

  /** A slot sample's bar: a key (an integer < 2^32), or +Infinity while the slot is empty (read as 2^32 − 1). */
  setBinBar(slot: number, bar: number): void {
    this.slots[2 * slot + 1] = bar >= 0xffffffff ? 0xffffffff : bar;
  }

  /** The last context's Σx^power per unit (power 1..4). */
  sum(power: 1 | 2 | 3 | 4): Float64Array {
    return this.sums.subarray((power - 1) * this.units, power * this.units);
  }

  /** Grows the per-context buffers (keys, data, candidates) for contexts of up to `n` positions. */
  private ensurePositions(n: number): void {
    if (n <= this.positions && this.data) return;
    const positions = Math.max(n, this.positions);
    const a = this.at;
    a.keys32 = align16(a.keys + positions * 8);
    a.data = align16(a.keys32 + positions * 4);
    a.cand = a.data + positions * this.units * 4;
    a.transposed = a.cand + positions * this.units * 12;
    a.exceptions = a.transposed + positions * this.units * 4;
    const end = a.exceptions + positions * 4;
    const pages = Math.ceil(end / PAGE);
    if (pages > this.memory.buffer.byteLength / PAGE) this.memory.grow(pages - this.memory.buffer.byteLength / PAGE);
    this.positions = positions;
    // Views are made again after every growth (growing detaches the old ones).
    const buf = this.memory.buffer;
    const f64 = (off: number, len: number) => new Float64Array(buf, off, len);
    const u = this.units;
    const slots = u * (this.bins + 2);
    this.lo = f64(a.lo, u);
    this.scale = f64(a.scale, u);
    this.hi = f64(a.hi, u);
    this.slots = new Uint32Array(buf, a.slots, 2 * slots);
    this.randomBar = f64(a.randomBar, u);
    this.positive = f64(a.positive, u);
    this.maxVal = f64(a.maxVal, u);
    this.minVal = f64(a.minVal, u);
    this.argMax = f64(a.argMax, u);
    this.sums = f64(a.sums, 4 * u);
    this.keys = f64(a.keys, positions);
    this.keys32 = new Uint32Array(buf, a.keys32, positions);
    this.data = new Float32Array(buf, a.data, positions * u);
    this.candidates = new Int32Array(buf, a.cand, positions * u * 3);
    this.transposed = new Float32Array(buf, a.transposed, positions * u);
  }
}
