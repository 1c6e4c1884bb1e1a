// AssemblyScript (compiled to WebAssembly by `npm run build:wasm`; not TypeScript: tsc skips this folder).
//
// The hot loop of a corpus scan: one pass over one context's activations [positions × units] (units contiguous)
// that updates every per-value statistic of UnitStream (lib/metrics/streaming/unit-stream.ts) and lists the
// values its reservoirs might keep. It computes exactly what UnitStream's JavaScript loop computes, bit for bit:
// each unit still sees its values in position order with float64 arithmetic, two units side by side in the two
// lanes of a 128-bit SIMD vector (WebAssembly never fuses multiply-adds, so lanes round like scalar code).
//
// Why WebAssembly: V8 runs the JavaScript loop at ~25–33 ns per value (a branch per statistic, no SIMD); a corpus
// scan does it for every unit of every token, several times the model's own forward pass. Here it is ~4 ns
// (scripts/bench/kernel.ts, on a 2-core AMD EPYC).
//
// Memory layout: JavaScript owns the memory (imported) and passes byte offsets; all arrays are little-endian.

/** Writes a candidate (unit, position, histogram slot) at cand + 12·n; returns n + 1. */
@inline
function pushCandidate(cand: usize, n: i32, u: i32, p: i32, slot: i32): i32 {
  const at = cand + (<usize>n) * 12;
  store<i32>(at, u);
  store<i32>(at, p, 4);
  store<i32>(at, slot, 8);
  return n + 1;
}

/**
 * Histogram slot of x for a unit (0 underflow, 1..bins, bins+1 overflow); −1 for NaN (not counted). `f` is
 * (x − lo)·scale, computed by the caller exactly as UnitHistograms does.
 */
@inline
function slotOf(f: f64, x: f64, hi: f64, bins: i32): i32 {
  if (f >= 0 && f < <f64>bins) return <i32>f + 1;
  if (f < 0) return 0;
  if (f >= <f64>bins) return x <= hi ? bins : bins + 1; // hi itself is in the last bin
  return -1;
}

/**
 * Counts x in its histogram slot and lists it when its key passes the slot sample's bar or the random sample's
 * (`randomPasses`): the reservoirs' cheap necessary condition, with the bars as they were before this context
 * (offers only lower them; JavaScript decides exactly). Returns the new candidate count. The general case; the
 * loop below inlines the common one (both lanes inside the histogram's range).
 */
@inline
function countAndSample(
  u: i32, p: i32, x: f64, f: f64, hi: f64, bins: i32, key: u32, randomPasses: bool,
  slots: usize, cand: usize, nCand: i32,
): i32 {
  const slot = slotOf(f, x, hi, bins);
  // NaN: not counted, but it may still enter the random sample, as in JavaScript (slot −1 says so).
  if (slot < 0) return randomPasses ? pushCandidate(cand, nCand, u, p, -1) : nCand;
  const at = slots + ((<usize>u * <usize>(bins + 2) + <usize>slot) << 3);
  store<u32>(at, load<u32>(at) + 1);
  return randomPasses || key <= load<u32>(at, 4) ? pushCandidate(cand, nCand, u, p, slot) : nCand;
}

/**
 * Observes positions [first, n) of one context for every unit.
 *   data       f32[n × units]           the context's activations, position-major
 *   keys       f64[n], keys32 u32[n]    sampling key of each position (tokenKey), in both types
 *   lo, scale, hi  f64[units]           histogram edges as UnitHistograms keeps them
 *   slots      u32[2 × units × (bins + 2)]  per histogram slot, its count (updated) and the largest key its
 *                                       sample keeps (read; 2^32 − 1 while empty): side by side, one cache line
 *   randomBar  f64[units]               per unit, the largest key its random sample keeps (read)
 *   positive   f64[units]               count of values > 0 (updated)
 *   maxVal, minVal, argMax  f64[units]  the context's max, min and the first position of the max (written)
 *   sums       f64[4 × units]           the context's Σx, Σx², Σx³, Σx⁴ per unit (written)
 *   cand       i32[3 × capacity]        candidates (unit, position, slot; −1 for NaN) (written): unit pair by unit
 *                                       pair, positions in order, then those where a lane was outside the range
 *   transposed f32[units × n] or 0      when given, the context unit-major (positions 0..n−1), so that the
 *                                       caller copies example windows as contiguous rows (written)
 *   exceptions i32[n]                   scratch: positions where a lane was outside the histogram's range
 * Returns the number of candidates.
 */
export function observeContext(
  n: i32, first: i32, units: i32, bins: i32,
  data: usize, keys: usize, keys32: usize, lo: usize, scale: usize, hi: usize,
  slots: usize, randomBar: usize, positive: usize,
  maxVal: usize, minVal: usize, argMax: usize, sums: usize, cand: usize, transposed: usize, exceptions: usize,
): i32 {
  let nCand = 0;
  const rowBytes = <usize>units << 2;
  const sumStride = <usize>units << 3;
  const zero = f64x2.splat(0);
  const binsV = f64x2.splat(<f64>bins);
  const slotBytes = (bins + 2) << 3;
  let u = 0;
  // Two units per step, one in each lane.
  for (; u + 1 < units; u += 2) {
    const ub = <usize>u << 3;
    const loV = v128.load(lo + ub);
    const scaleV = v128.load(scale + ub);
    const hi0 = load<f64>(hi + ub);
    const hi1 = load<f64>(hi + ub, 8);
    const randomBarV = v128.load(randomBar + ub);
    // Byte address of slot 0 of each lane's unit, +8: slot = ⌊f⌋ + 1 inside the range.
    const row0 = <i32>slots + u * slotBytes + 8;
    const rowV = i32x4.replace_lane(i32x4.splat(row0), 1, row0 + slotBytes);
    let max = f64x2.splat(-Infinity);
    let arg = f64x2.splat(-1);
    let min = f64x2.splat(Infinity);
    let pos = i64x2.splat(0);
    let s1 = zero;
    let s2 = zero;
    let s3 = zero;
    let s4 = zero;
    let nExc = 0;
    const t0 = transposed + ((<usize>u * <usize>n) << 2);
    const t1 = t0 + (<usize>n << 2);
    if (transposed) {
      for (let p = 0; p < first; p++) {
        store<f32>(t0 + (<usize>p << 2), load<f32>(data + (<usize>p) * rowBytes + (<usize>u << 2)));
        store<f32>(t1 + (<usize>p << 2), load<f32>(data + (<usize>p) * rowBytes + (<usize>u << 2), 4));
      }
    }
    let at = data + (<usize>first) * rowBytes + (<usize>u << 2);
    for (let p = first; p < n; p++, at += rowBytes) {
      const raw = v128.load64_zero(at);
      if (transposed) {
        store<f32>(t0 + (<usize>p << 2), f32x4.extract_lane(raw, 0));
        store<f32>(t1 + (<usize>p << 2), f32x4.extract_lane(raw, 1));
      }
      const x = f64x2.promote_low_f32x4(raw);
      const pv = f64x2.splat(<f64>p);
      const gt = f64x2.gt(x, max); // strict: the first position of the max wins, as in JavaScript
      max = v128.bitselect(x, max, gt);
      arg = v128.bitselect(pv, arg, gt);
      min = v128.bitselect(x, min, f64x2.lt(x, min));
      pos = i64x2.sub(pos, f64x2.gt(x, zero)); // a true lane is −1
      const x2 = f64x2.mul(x, x);
      s1 = f64x2.add(s1, x);
      s2 = f64x2.add(s2, x2);
      s3 = f64x2.add(s3, f64x2.mul(x2, x));
      s4 = f64x2.add(s4, f64x2.mul(x2, x2));
      const f = f64x2.mul(f64x2.sub(x, loV), scaleV);
      const key = load<u32>(keys32 + (<usize>p << 2));
      const random = f64x2.le(f64x2.splat(load<f64>(keys + (<usize>p << 3))), randomBarV);
      if (i64x2.all_true(v128.and(f64x2.ge(f, zero), f64x2.lt(f, binsV)))) {
        // Both lanes inside the range: slot ⌊f⌋ + 1, as an address, computed for both lanes at once.
        // ⌊f⌋ + 2^52 holds the integer ⌊f⌋ in its low word: cheaper than a saturating conversion (f is in range).
        const m = f64x2.add(f64x2.floor(f), f64x2.splat(4503599627370496.0));
        const t = i32x4.shuffle(m, m, 0, 2, 0, 2);
        const addr = i32x4.add(i32x4.shl(t, 3), rowV);
        const a0 = <usize>i32x4.extract_lane(addr, 0);
        const a1 = <usize>i32x4.extract_lane(addr, 1);
        store<u32>(a0, load<u32>(a0) + 1);
        store<u32>(a1, load<u32>(a1) + 1);
        if (key <= load<u32>(a0, 4) || i64x2.extract_lane(random, 0) != 0) nCand = pushCandidate(cand, nCand, u, p, i32x4.extract_lane(t, 0) + 1);
        if (key <= load<u32>(a1, 4) || i64x2.extract_lane(random, 1) != 0) nCand = pushCandidate(cand, nCand, u + 1, p, i32x4.extract_lane(t, 1) + 1);
      } else {
        // A lane outside the histogram's range (or NaN) is rare: its position is noted and handled after the loop,
        // so that the general case's code does not crowd this loop's registers (that cost ~30 % of the kernel).
        store<i32>(exceptions + (<usize>nExc << 2), p);
        nExc++;
      }
    }
    // The noted positions, in order: both lanes the general way (a lane inside the range gives what the loop would).
    for (let i = 0; i < nExc; i++) {
      const p = load<i32>(exceptions + (<usize>i << 2));
      const x0 = <f64>load<f32>(data + (<usize>p) * rowBytes + (<usize>u << 2));
      const x1 = <f64>load<f32>(data + (<usize>p) * rowBytes + (<usize>u << 2), 4);
      const key = load<u32>(keys32 + (<usize>p << 2));
      const k64 = load<f64>(keys + (<usize>p << 3));
      nCand = countAndSample(u, p, x0, (x0 - load<f64>(lo + ub)) * load<f64>(scale + ub), hi0, bins, key, k64 <= load<f64>(randomBar + ub), slots, cand, nCand);
      nCand = countAndSample(u + 1, p, x1, (x1 - load<f64>(lo + ub, 8)) * load<f64>(scale + ub, 8), hi1, bins, key, k64 <= load<f64>(randomBar + ub, 8), slots, cand, nCand);
    }
    v128.store(maxVal + ub, max);
    v128.store(minVal + ub, min);
    v128.store(argMax + ub, arg);
    v128.store(positive + ub, f64x2.add(v128.load(positive + ub), f64x2.convert_low_i32x4_s(i32x4.shuffle(pos, pos, 0, 2, 0, 2))));
    v128.store(sums + ub, s1);
    v128.store(sums + sumStride + ub, s2);
    v128.store(sums + 2 * sumStride + ub, s3);
    v128.store(sums + 3 * sumStride + ub, s4);
  }
  // An odd last unit: the same in scalar code.
  for (; u < units; u++) {
    const ub = <usize>u << 3;
    const loU = load<f64>(lo + ub);
    const scaleU = load<f64>(scale + ub);
    const hiU = load<f64>(hi + ub);
    let max = -Infinity;
    let arg: f64 = -1;
    let min = Infinity;
    let pos: f64 = 0;
    let s1: f64 = 0;
    let s2: f64 = 0;
    let s3: f64 = 0;
    let s4: f64 = 0;
    const t0 = transposed + ((<usize>u * <usize>n) << 2);
    if (transposed) for (let p = 0; p < first; p++) store<f32>(t0 + (<usize>p << 2), load<f32>(data + (<usize>p) * rowBytes + (<usize>u << 2)));
    for (let p = first; p < n; p++) {
      const raw = load<f32>(data + (<usize>p) * rowBytes + (<usize>u << 2));
      if (transposed) store<f32>(t0 + (<usize>p << 2), raw);
      const x = <f64>raw;
      if (x > max) {
        max = x;
        arg = <f64>p;
      }
      if (x < min) min = x;
      if (x > 0) pos += 1;
      const x2 = x * x;
      s1 += x;
      s2 += x2;
      s3 += x2 * x;
      s4 += x2 * x2;
      nCand = countAndSample(u, p, x, (x - loU) * scaleU, hiU, bins, load<u32>(keys32 + (<usize>p << 2)), load<f64>(keys + (<usize>p << 3)) <= load<f64>(randomBar + ub), slots, cand, nCand);
    }
    store<f64>(maxVal + ub, max);
    store<f64>(minVal + ub, min);
    store<f64>(argMax + ub, arg);
    store<f64>(positive + ub, load<f64>(positive + ub) + pos);
    store<f64>(sums + ub, s1);
    store<f64>(sums + sumStride + ub, s2);
    store<f64>(sums + 2 * sumStride + ub, s3);
    store<f64>(sums + 3 * sumStride + ub, s4);
  }
  return nCand;
}

/** Limbs of one exact sum (as ExactSums keeps them in JavaScript): limb j holds multiples of 2^(32 j − 1074). */
const LIMBS = 68;

/**
 * Adds the last context's Σx, Σx², Σx³, Σx⁴ of every unit (`sums`, f64[4 × units], as observeContext wrote them)
 * exactly into `limbs` (i64[4 × units × 68], power-major then unit): each float64 as the exact integer x · 2^1074
 * spread over three 32-bit limbs, as ExactSums.add does. Zeros and non-finite sums are skipped (JavaScript refuses
 * a context with a non-finite sum before its statistics are read). A limb absorbs 2^31 additions before
 * `normalizeLimbs` must carry it.
 */
export function addSumsExactly(units: i32, sums: usize, limbs: usize): void {
  const count = 4 * units;
  for (let i = 0; i < count; i++) {
    const x = load<f64>(sums + (<usize>i << 3));
    const bits = reinterpret<u64>(x);
    const biased = <i32>((bits >> 52) & 0x7ff);
    if (biased == 0x7ff) continue;
    let mant = bits & 0xfffffffffffff;
    if (biased != 0) mant |= 0x10000000000000; // the implicit leading 1 of normal numbers
    if (mant == 0) continue;
    // x · 2^1074 = mant · 2^shift, shift = 32 j + r
    const shift = biased == 0 ? 0 : biased - 1;
    const r = <u64>(shift & 31);
    const low = mant << r;
    const a0 = <i64>(low & 0xffffffff);
    const a1 = <i64>(low >> 32);
    const a2 = r == 0 ? <i64>0 : <i64>(mant >> (64 - r));
    const at = limbs + ((<usize>i * LIMBS + <usize>(shift >>> 5)) << 3);
    if (bits >> 63) {
      store<i64>(at, load<i64>(at) - a0);
      store<i64>(at, load<i64>(at, 8) - a1, 8);
      store<i64>(at, load<i64>(at, 16) - a2, 16);
    } else {
      store<i64>(at, load<i64>(at) + a0);
      store<i64>(at, load<i64>(at, 8) + a1, 8);
      store<i64>(at, load<i64>(at, 16) + a2, 16);
    }
  }
}

/**
 * Carries each of `count` exact sums at `limbs` so that limbs 0..66 are in [0, 2^32) and limb 67 holds the sign
 * (ExactSums' canonical form): JavaScript then reads every limb exactly as a float64.
 */
export function normalizeLimbs(count: i32, limbs: usize): void {
  for (let i = 0; i < count; i++) {
    const row = limbs + ((<usize>i * LIMBS) << 3);
    for (let k = 0; k < LIMBS - 1; k++) {
      const at = row + (<usize>k << 3);
      const v = load<i64>(at);
      const c = v >> 32; // arithmetic: floor(v / 2^32)
      store<i64>(at, v - (c << 32));
      store<i64>(at, load<i64>(at, 8) + c, 8);
    }
  }
}
