import { makeRng } from '@/lib/sampling/random';

/**
 * Random unit directions in a layer's neuron-activation space (open problem 6.31): the baseline that a
 * neuron's statistics are compared against. Gaussian vectors normalised to length 1, seeded so that every
 * shard (and a re-run) projects onto the same directions. Returned as [d_mlp, count] row-major.
 */
export function randomDirections(dMlp: number, count: number, seed: number): Float32Array {
  const rng = makeRng(seed);
  const dirs = new Float32Array(dMlp * count);
  for (let r = 0; r < count; r++) {
    let norm = 0;
    const v = new Float64Array(dMlp);
    for (let n = 0; n < dMlp; n++) {
      // Box–Muller.
      const u1 = Math.max(rng.next(), 1e-12);
      const u2 = rng.next();
      v[n] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      norm += v[n] * v[n];
    }
    norm = Math.sqrt(norm);
    for (let n = 0; n < dMlp; n++) dirs[n * count + r] = v[n] / norm;
  }
  return dirs;
}

/**
 * proj[p, r] = Σ_n acts[offset + p·dMlp + n] · dirs[n, r], for p < positions. The hot loop of the baseline:
 * directions are transposed once per call site (dirsT [count, dMlp]) so that the inner loop reads both arrays
 * contiguously; four directions share each read of the activations (four accumulators), which roughly halves
 * the loop's time. Every direction's sum runs in the same order of n, so results do not depend on `count`.
 */
export function project(
  acts: Float32Array,
  offset: number,
  positions: number,
  dMlp: number,
  dirsT: Float32Array,
  count: number,
  out: Float32Array,
): void {
  for (let p = 0; p < positions; p++) {
    const row = offset + p * dMlp;
    let r = 0;
    for (; r + 4 <= count; r += 4) {
      const d0 = r * dMlp;
      const d1 = d0 + dMlp;
      const d2 = d1 + dMlp;
      const d3 = d2 + dMlp;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let n = 0; n < dMlp; n++) {
        const x = acts[row + n];
        a0 += x * dirsT[d0 + n];
        a1 += x * dirsT[d1 + n];
        a2 += x * dirsT[d2 + n];
        a3 += x * dirsT[d3 + n];
      }
      out[p * count + r] = a0;
      out[p * count + r + 1] = a1;
      out[p * count + r + 2] = a2;
      out[p * count + r + 3] = a3;
    }
    for (; r < count; r++) {
      const d = r * dMlp;
      let acc = 0;
      for (let n = 0; n < dMlp; n++) acc += acts[row + n] * dirsT[d + n];
      out[p * count + r] = acc;
    }
  }
}

/** [d_mlp, count] → [count, d_mlp]. */
export function transposeDirections(dirs: Float32Array, dMlp: number, count: number): Float32Array {
  const t = new Float32Array(dirs.length);
  for (let n = 0; n < dMlp; n++) for (let r = 0; r < count; r++) t[r * dMlp + n] = dirs[n * count + r];
  return t;
}

/** The seed of one layer/site's directions, derived from the run's seed. */
export function directionSeed(seed: number, layer: number, siteIndex: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 31) + layer * 7919 + siteIndex * 104729) | 0;
}
