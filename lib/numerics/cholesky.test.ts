import { describe, expect, it } from 'vitest';
import { makeRng } from '../sampling/random';
import { psdCholesky } from './cholesky';

/** G = Aᵀ A for A [m, n] (rank ≤ m). */
function gram(m: number, n: number, seed: number): Float64Array {
  const rng = makeRng(seed);
  const A = Array.from({ length: m * n }, () => rng.next() - 0.5);
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < m; k++) G[i * n + j] += A[k * n + i] * A[k * n + j];
  return G;
}

function expectFactors(G: Float64Array, n: number) {
  const L = psdCholesky(G, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (j > i) expect(L[i * n + j]).toBe(0);
      let s = 0;
      for (let k = 0; k < n; k++) s += L[i * n + k] * L[j * n + k];
      expect(Math.abs(s - G[i * n + j])).toBeLessThan(1e-12);
    }
  }
  return L;
}

describe('psdCholesky', () => {
  it('factors a positive definite Gram matrix: L Lᵀ = G, L lower-triangular', () => {
    expectFactors(gram(12, 6, 1), 6);
  });

  it('factors rank-deficient ones (rank 3 of 6, and an all-zero row) with zero columns, never NaN', () => {
    const L = expectFactors(gram(3, 6, 2), 6);
    expect(L.every(Number.isFinite)).toBe(true);
    const G = gram(8, 4, 3);
    for (let i = 0; i < 4; i++) G[1 * 4 + i] = G[i * 4 + 1] = 0;
    expect(Array.from(expectFactors(G, 4).filter((_, i) => i % 4 === 1))).toEqual([0, 0, 0, 0]);
  });

  it('reads the matrix at an offset (a stack of Gram matrices)', () => {
    const G = gram(12, 5, 4);
    const stacked = new Float64Array(50);
    stacked.set(G, 25);
    expect(psdCholesky(stacked, 5, 25)).toEqual(psdCholesky(G, 5));
  });
});
