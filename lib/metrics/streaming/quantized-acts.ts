/**
 * Example windows' activations as int16 with one scale per example, as the database stores them
 * (lib/db/neurons.ts packActs): q = round(v · 32767 / max|v|), v ≈ q · scale with scale = max|v| / 32767, so
 * |error| ≤ max|v| / 65534. A scan keeps every unit's example windows in this form: half the memory of float32,
 * and nothing lost that the stored wiki would keep.
 */
export const ACT_LEVELS = 32767;

/** The scale of a window whose largest |activation| is maxAbs (1 for an all-zero window). */
export function actScale(maxAbs: number): number {
  return maxAbs > 0 ? maxAbs / ACT_LEVELS : 1;
}

/**
 * Writes `length` activations, `data[at + i · stride]`, as int16 into `out` from `outAt`; returns their scale.
 * Non-finite values (a scan refuses them anyway) are written as 0.
 */
export function quantizeActs(data: ArrayLike<number>, at: number, stride: number, length: number, out: Int16Array, outAt: number): number {
  let maxAbs = 0;
  for (let i = 0, k = at; i < length; i++, k += stride) {
    const v = Math.abs(data[k]);
    if (v > maxAbs && v !== Infinity) maxAbs = v;
  }
  const toLevels = maxAbs > 0 ? ACT_LEVELS / maxAbs : 0;
  for (let i = 0, k = at; i < length; i++, k += stride) {
    const q = Math.round(data[k] * toLevels);
    out[outAt + i] = q >= -ACT_LEVELS && q <= ACT_LEVELS ? q : 0;
  }
  return actScale(maxAbs);
}
