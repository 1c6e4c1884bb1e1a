/**
 * Cholesky factor of a symmetric positive semi-definite matrix in float64: lower-triangular L with L Lᵀ = G.
 * A pivot that is not positive (a rank-deficient Gram matrix, e.g. a head with zero weights) gives a zero column,
 * which keeps L Lᵀ = G for a PSD G: the algorithm stays backward stable however small the pivots.
 */
export function psdCholesky(G: ArrayLike<number>, n: number, offset = 0): Float64Array {
  const L = new Float64Array(n * n);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, G[offset + i * n + i]);
  const tiny = maxDiag * 1e-13;
  for (let j = 0; j < n; j++) {
    let d = G[offset + j * n + j];
    for (let k = 0; k < j; k++) d -= L[j * n + k] * L[j * n + k];
    if (!(d > tiny)) continue; // zero column
    const root = Math.sqrt(d);
    L[j * n + j] = root;
    for (let i = j + 1; i < n; i++) {
      let s = G[offset + i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = s / root;
    }
  }
  return L;
}
