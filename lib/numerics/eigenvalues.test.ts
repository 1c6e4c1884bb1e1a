import { describe, expect, it } from 'vitest';
import { eigenvalues, eigenvalueSums } from './eigenvalues';
import { makeRng } from '../sampling/random';

const sorted = (e: { re: Float64Array; im: Float64Array }) =>
  Array.from(e.re, (re, i) => [re, e.im[i]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);

/** Determinant by Gaussian elimination with partial pivoting (float64). */
function determinant(m: number[], n: number): number {
  const a = m.slice();
  let det = 1;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]) > Math.abs(a[p * n + c])) p = r;
    if (a[p * n + c] === 0) return 0;
    if (p !== c) {
      for (let k = 0; k < n; k++) [a[p * n + k], a[c * n + k]] = [a[c * n + k], a[p * n + k]];
      det = -det;
    }
    det *= a[c * n + c];
    for (let r = c + 1; r < n; r++) {
      const f = a[r * n + c] / a[c * n + c];
      for (let k = c; k < n; k++) a[r * n + k] -= f * a[c * n + k];
    }
  }
  return det;
}

describe('eigenvalues (Hessenberg + Francis QR, float64)', () => {
  it('a diagonal matrix: its diagonal', () => {
    expect(sorted(eigenvalues([3, 0, 0, 0, -1, 0, 0, 0, 2], 3))).toEqual([
      [-1, 0],
      [2, 0],
      [3, 0],
    ]);
  });

  it('a 90° rotation: ±i', () => {
    const e = sorted(eigenvalues([0, -1, 1, 0], 2));
    expect(e[0][0]).toBeCloseTo(0, 12);
    expect(e.map((v) => Math.abs(v[1]))).toEqual([1, 1]);
    expect(eigenvalueSums([0, -1, 1, 0], 2)).toEqual({ sumRe: 0, sumAbs: 2 });
  });

  it('the companion matrix of (x−1)(x−2)(x−3)(x+4): its roots', () => {
    // x⁴ − 2x³ − 13x² + 38x − 24
    const c = [2, 13, -38, 24, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0];
    const e = sorted(eigenvalues(c, 4));
    [-4, 1, 2, 3].forEach((root, i) => {
      expect(e[i][0]).toBeCloseTo(root, 10);
      expect(e[i][1]).toBeCloseTo(0, 10);
    });
  });

  it('a block rotation-scaling matrix: 2 ± 3i and −1, Σ|λ| = 2√13 + 1', () => {
    const m = [2, -3, 0, 3, 2, 0, 0, 0, -1];
    const { sumRe, sumAbs } = eigenvalueSums(m, 3);
    expect(sumRe).toBeCloseTo(3, 12);
    expect(sumAbs).toBeCloseTo(2 * Math.sqrt(13) + 1, 12);
  });

  it('random 40×40 matrices: Σλ = trace, Πλ = det, Σλ² = trace(A²)', () => {
    const rng = makeRng(7);
    for (const n of [5, 16, 40]) {
      const m = Array.from({ length: n * n }, () => rng.next() * 2 - 1);
      const { re, im } = eigenvalues(m, n);
      let trace = 0;
      let trace2 = 0;
      for (let i = 0; i < n; i++) {
        trace += m[i * n + i];
        for (let k = 0; k < n; k++) trace2 += m[i * n + k] * m[k * n + i];
      }
      let sum = 0;
      let sumSq = 0;
      let prodRe = 1;
      let prodIm = 0;
      for (let i = 0; i < n; i++) {
        sum += re[i];
        sumSq += re[i] * re[i] - im[i] * im[i];
        [prodRe, prodIm] = [prodRe * re[i] - prodIm * im[i], prodRe * im[i] + prodIm * re[i]];
      }
      expect(sum).toBeCloseTo(trace, 9);
      expect(sumSq).toBeCloseTo(trace2, 8);
      const det = determinant(m, n);
      expect(prodRe / det).toBeCloseTo(1, 6);
      expect(Math.abs(prodIm / det)).toBeLessThan(1e-6);
    }
  });

  it('rank-deficient and zero matrices', () => {
    expect(eigenvalueSums(new Array(9).fill(0), 3)).toEqual({ sumRe: 0, sumAbs: 0 });
    const { sumRe, sumAbs } = eigenvalueSums([1, 1, 1, 1], 2); // eigenvalues 0, 2
    expect(sumRe).toBeCloseTo(2, 12);
    expect(sumAbs).toBeCloseTo(2, 12);
  });

  it('rejects bad input clearly', () => {
    expect(() => eigenvalues([1, 2, 3], 2)).toThrow(/expected n² = 4/);
    expect(() => eigenvalues([1, NaN, 0, 1], 2)).toThrow(/non-finite/);
  });
});
