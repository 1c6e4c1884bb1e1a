// AssemblyScript (compiled to WebAssembly by `npm run build:wasm`; not TypeScript: tsc skips this folder).
//
// Position reductions on the host (lib/metrics/streaming/position-reducer.ts): per context (batch row) and unit, the
// max and its first position, the min, and Σx, Σx², Σx³, Σx⁴ and #x > 0 as float32 sums in position order: exactly
// lib/engine/reductions.ts' reduceOnHost (WebAssembly never fuses multiply-adds, so every lane rounds like Math.fround
// after each operation), plus the argmax. Four units side by side in a 128-bit vector; one pass over the activations.
//
// Why: on the CPU the same reductions as ONNX nodes are a dozen unfused passes through memory (≈ 0.3–0.4 × the
// forward's CPU time); this is one pass at well under a nanosecond per value.
//
// Memory layout: JavaScript owns the memory (imported) and passes byte offsets; all arrays are little-endian.

/**
 * data   f32[batch × length × units]  activations, position-major (units contiguous)
 * firsts, ends  i32[batch]            row b reduces positions [firsts[b], ends[b]) (≤ length)
 * maxOut, minOut  f32[batch × units]; argOut i32[batch × units] (−1 when no value beats −Infinity)
 * sums   f32[batch × 5 × units]       Σx, Σx², Σx³, Σx⁴, #(x > 0)
 * transposed  f32[batch × units × length] or 0   when given, also each row unit-major over positions [0, ends[b])
 *             (unit u of row b at (b · units + u) · length), so that the caller copies example windows as contiguous
 *             runs instead of one value per position row
 */
export function reducePositions(
  batch: i32, length: i32, units: i32,
  data: usize, firsts: usize, ends: usize,
  maxOut: usize, argOut: usize, minOut: usize, sums: usize, transposed: usize,
): void {
  const rowBytes = <usize>units << 2;
  const zero = f32x4.splat(0);
  for (let b = 0; b < batch; b++) {
    const first = load<i32>(firsts + (<usize>b << 2));
    const end = load<i32>(ends + (<usize>b << 2));
    const row = data + <usize>b * <usize>length * rowBytes;
    const out = (<usize>b * <usize>units) << 2;
    const sumRow = sums + <usize>b * 5 * rowBytes;
    if (transposed) transposeRow(row, end, units, length, transposed + (<usize>b * <usize>units * <usize>length << 2));
    let u = 0;
    for (; u + 3 < units; u += 4) {
      let max = f32x4.splat(-Infinity);
      let min = f32x4.splat(Infinity);
      let arg = i32x4.splat(-1);
      let pos = i32x4.splat(0);
      let s1 = zero;
      let s2 = zero;
      let s3 = zero;
      let s4 = zero;
      let at = row + <usize>first * rowBytes + (<usize>u << 2);
      for (let p = first; p < end; p++, at += rowBytes) {
        const x = v128.load(at);
        const gt = f32x4.gt(x, max); // strict: the first position of the max wins
        max = v128.bitselect(x, max, gt);
        arg = v128.bitselect(i32x4.splat(p), arg, gt);
        min = v128.bitselect(x, min, f32x4.lt(x, min));
        pos = i32x4.sub(pos, f32x4.gt(x, zero)); // a true lane is −1
        const x2 = f32x4.mul(x, x);
        s1 = f32x4.add(s1, x);
        s2 = f32x4.add(s2, x2);
        s3 = f32x4.add(s3, f32x4.mul(x2, x));
        s4 = f32x4.add(s4, f32x4.mul(x2, x2));
      }
      const ub = <usize>u << 2;
      v128.store(maxOut + out + ub, max);
      v128.store(minOut + out + ub, min);
      v128.store(argOut + out + ub, arg);
      v128.store(sumRow + ub, s1);
      v128.store(sumRow + rowBytes + ub, s2);
      v128.store(sumRow + 2 * rowBytes + ub, s3);
      v128.store(sumRow + 3 * rowBytes + ub, s4);
      v128.store(sumRow + 4 * rowBytes + ub, f32x4.convert_i32x4_s(pos));
    }
    // The last units (units % 4): the same in scalar float32 code.
    for (; u < units; u++) {
      let max: f32 = -Infinity;
      let min: f32 = Infinity;
      let arg: i32 = -1;
      let pos: i32 = 0;
      let s1: f32 = 0;
      let s2: f32 = 0;
      let s3: f32 = 0;
      let s4: f32 = 0;
      for (let p = first; p < end; p++) {
        const x = load<f32>(row + <usize>p * rowBytes + (<usize>u << 2));
        if (x > max) {
          max = x;
          arg = p;
        }
        if (x < min) min = x;
        if (x > 0) pos++;
        const x2: f32 = x * x;
        s1 += x;
        s2 += x2;
        s3 += x2 * x;
        s4 += x2 * x2;
      }
      const ub = <usize>u << 2;
      store<f32>(maxOut + out + ub, max);
      store<f32>(minOut + out + ub, min);
      store<i32>(argOut + out + ub, arg);
      store<f32>(sumRow + ub, s1);
      store<f32>(sumRow + rowBytes + ub, s2);
      store<f32>(sumRow + 2 * rowBytes + ub, s3);
      store<f32>(sumRow + 3 * rowBytes + ub, s4);
      store<f32>(sumRow + 4 * rowBytes + ub, <f32>pos);
    }
  }
}

/** Row [end × units] (position-major) → [units × length] (unit-major, positions 0..end−1), 4 × 4 blocks at a time. */
function transposeRow(row: usize, end: i32, units: i32, length: i32, out: usize): void {
  const rowBytes = <usize>units << 2;
  const outRow = <usize>length << 2;
  let u = 0;
  for (; u + 3 < units; u += 4) {
    const o = out + <usize>u * outRow;
    let p = 0;
    for (; p + 3 < end; p += 4) {
      const at = row + <usize>p * rowBytes + (<usize>u << 2);
      const a = v128.load(at);
      const b = v128.load(at + rowBytes);
      const c = v128.load(at + 2 * rowBytes);
      const d = v128.load(at + 3 * rowBytes);
      // 4 × 4 transpose: lanes of (a, b, c, d) become the columns.
      const ab0 = i32x4.shuffle(a, b, 0, 4, 1, 5);
      const ab1 = i32x4.shuffle(a, b, 2, 6, 3, 7);
      const cd0 = i32x4.shuffle(c, d, 0, 4, 1, 5);
      const cd1 = i32x4.shuffle(c, d, 2, 6, 3, 7);
      const pb = <usize>p << 2;
      v128.store(o + pb, i64x2.shuffle(ab0, cd0, 0, 2));
      v128.store(o + outRow + pb, i64x2.shuffle(ab0, cd0, 1, 3));
      v128.store(o + 2 * outRow + pb, i64x2.shuffle(ab1, cd1, 0, 2));
      v128.store(o + 3 * outRow + pb, i64x2.shuffle(ab1, cd1, 1, 3));
    }
    for (; p < end; p++) {
      const at = row + <usize>p * rowBytes + (<usize>u << 2);
      const pb = <usize>p << 2;
      store<f32>(o + pb, load<f32>(at));
      store<f32>(o + outRow + pb, load<f32>(at, 4));
      store<f32>(o + 2 * outRow + pb, load<f32>(at, 8));
      store<f32>(o + 3 * outRow + pb, load<f32>(at, 12));
    }
  }
  for (; u < units; u++) {
    for (let p = 0; p < end; p++) store<f32>(out + <usize>u * outRow + (<usize>p << 2), load<f32>(row + <usize>p * rowBytes + (<usize>u << 2)));
  }
}
