/**
 * Exact, order-independent sums of float64 numbers, for many units at once.
 *
 * Floating-point addition is not associative, so the same numbers summed in another order (another
 * split of a corpus into shards) give slightly different results. Here every float64 is added as the
 * exact integer `x · 2^1074`, kept as 32-bit limbs in a Float64Array (each limb holds an integer; a limb
 * stays exact for 2^21 additions before carries are propagated). The represented value is exactly the
 * real sum, whatever the order of additions or merges, and `value()` rounds it the same way every time.
 */

/** Limb i holds multiples of 2^(32 i − 1074); 68 limbs cover every float64 with room for carries. */
export const EXACT_SUM_LIMBS = 68;
const LIMB = 4294967296; // 2^32
/** Additions a limb absorbs (each < 2^32 in magnitude) before it could pass 2^53. */
const ADDS_BEFORE_CARRY = 1 << 20;

const scratch = new DataView(new ArrayBuffer(8));

/** `count` independent exact sums (one per unit). */
export class ExactSums {
  readonly limbs: Float64Array;
  private addsSinceCarry = 0;

  constructor(readonly count: number) {
    if (!Number.isInteger(count) || count < 0) throw new Error(`ExactSums: count must be a non-negative integer, got ${count}`);
    this.limbs = new Float64Array(count * EXACT_SUM_LIMBS);
  }

  /** Adds x (finite) to sum i, exactly. */
  add(i: number, x: number): void {
    if (x === 0) return;
    if (!Number.isFinite(x)) throw new Error(`ExactSums.add: ${x} is not finite`);
    scratch.setFloat64(0, x, true);
    const lo = scratch.getUint32(0, true);
    const hiWord = scratch.getUint32(4, true);
    const biased = (hiWord >>> 20) & 0x7ff;
    let mantHi = hiWord & 0xfffff;
    if (biased !== 0) mantHi |= 0x100000; // implicit leading 1 of normal numbers
    // x · 2^1074 = mantissa · 2^shift
    const shift = biased === 0 ? 0 : biased - 1;
    const j = shift >>> 5;
    const r = shift & 31;
    let a0: number, a1: number, a2: number;
    if (r === 0) {
      a0 = lo;
      a1 = mantHi;
      a2 = 0;
    } else {
      a0 = (lo << r) >>> 0;
      a1 = ((mantHi << r) | (lo >>> (32 - r))) >>> 0;
      a2 = mantHi >>> (32 - r);
    }
    const base = i * EXACT_SUM_LIMBS + j;
    const limbs = this.limbs;
    if (x < 0) {
      limbs[base] -= a0;
      limbs[base + 1] -= a1;
      limbs[base + 2] -= a2;
    } else {
      limbs[base] += a0;
      limbs[base + 1] += a1;
      limbs[base + 2] += a2;
    }
    if (++this.addsSinceCarry >= ADDS_BEFORE_CARRY) this.carryAll();
  }

  /**
   * Adds another exact sum, given as limbs (limb k a multiple of 2^(32 k − 1074), each an integer of magnitude
   * < 2^32, as after carrying), to sum i.
   */
  addLimbs(i: number, from: ArrayLike<number>): void {
    if (from.length !== EXACT_SUM_LIMBS) throw new Error(`ExactSums.addLimbs: ${from.length} limbs; expected ${EXACT_SUM_LIMBS}`);
    const base = i * EXACT_SUM_LIMBS;
    for (let k = 0; k < EXACT_SUM_LIMBS; k++) this.limbs[base + k] += from[k];
    if (++this.addsSinceCarry >= ADDS_BEFORE_CARRY) this.carryAll();
  }

  /** Adds every sum of `other` into this one (same count). Exact: merge order does not matter. */
  merge(other: ExactSums): this {
    if (other.count !== this.count) throw new Error(`ExactSums.merge: ${this.count} sums vs ${other.count}`);
    this.carryAll();
    other.carryAll();
    for (let k = 0; k < this.limbs.length; k++) this.limbs[k] += other.limbs[k];
    this.carryAll();
    return this;
  }

  /** Sum i rounded to a float64; the same for every order of additions. */
  value(i: number): number {
    this.carry(i);
    const base = i * EXACT_SUM_LIMBS;
    const top = this.limbs[base + EXACT_SUM_LIMBS - 1];
    let negative = top < 0;
    if (top === 0) {
      // After carrying, limbs below the top are in [0, 2^32): the sign is the top limb's.
      negative = false;
    }
    const mag = Array.from(this.limbs.subarray(base, base + EXACT_SUM_LIMBS));
    if (negative) {
      for (let k = 0; k < mag.length; k++) mag[k] = -mag[k];
      carryArray(mag);
    }
    // Canonical magnitude, summed from the top limb down: deterministic and accurate (all terms ≥ 0).
    let v = 0;
    for (let k = mag.length - 1; k >= 0; k--) {
      if (mag[k] !== 0) v += mag[k] * pow2(32 * k - 1074);
    }
    return negative ? -v : v;
  }

  /** Compact, canonical serialisation: per sum, [first non-zero limb index, ...limbs]. */
  toJSON(): { count: number; sums: number[][] } {
    this.carryAll();
    const sums: number[][] = [];
    for (let i = 0; i < this.count; i++) {
      const base = i * EXACT_SUM_LIMBS;
      let first = 0;
      let last = EXACT_SUM_LIMBS - 1;
      while (first <= last && this.limbs[base + first] === 0) first++;
      while (last >= first && this.limbs[base + last] === 0) last--;
      sums.push(first > last ? [] : [first, ...this.limbs.subarray(base + first, base + last + 1)]);
    }
    return { count: this.count, sums };
  }

  static fromJSON(json: { count: number; sums: number[][] }): ExactSums {
    const out = new ExactSums(json.count);
    if (!Array.isArray(json.sums) || json.sums.length !== json.count) throw new Error('ExactSums.fromJSON: sums do not match count');
    json.sums.forEach((s, i) => {
      if (s.length === 0) return;
      const [first, ...limbs] = s;
      limbs.forEach((v, k) => (out.limbs[i * EXACT_SUM_LIMBS + first + k] = v));
    });
    return out;
  }

  private carryAll(): void {
    for (let i = 0; i < this.count; i++) this.carry(i);
    this.addsSinceCarry = 0;
  }

  private carry(i: number): void {
    const base = i * EXACT_SUM_LIMBS;
    const limbs = this.limbs;
    for (let k = 0; k < EXACT_SUM_LIMBS - 1; k++) {
      const v = limbs[base + k];
      if (v >= 0 && v < LIMB) continue;
      const c = Math.floor(v / LIMB);
      limbs[base + k] = v - c * LIMB;
      limbs[base + k + 1] += c;
    }
  }
}

function carryArray(mag: number[]): void {
  for (let k = 0; k < mag.length - 1; k++) {
    const c = Math.floor(mag[k] / LIMB);
    mag[k] -= c * LIMB;
    mag[k + 1] += c;
  }
}

/** 2^e for any e in float64's range, without overflow in between (2^-1074 is the smallest). */
function pow2(e: number): number {
  if (e >= -1022) return 2 ** e;
  return 2 ** (e + 100) * 2 ** -100;
}
