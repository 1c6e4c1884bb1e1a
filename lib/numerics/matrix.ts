/** Small dense float64 matrix helpers (row-major), for weight-based head scores. */

export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export function matrix(rows: number, cols: number, data?: ArrayLike<number>): Matrix {
  if (data && data.length !== rows * cols) throw new Error(`matrix: ${data.length} values for ${rows}×${cols}`);
  return { rows, cols, data: data ? Float64Array.from(data) : new Float64Array(rows * cols) };
}

/** a · b (i-k-j loop order over local typed arrays: the hot loop stays monomorphic). */
export function matmul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new Error(`matmul: ${a.rows}×${a.cols} · ${b.rows}×${b.cols} do not chain`);
  const { rows: n, cols: m } = a;
  const p = b.cols;
  const A = a.data;
  const B = b.data;
  const out = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    const o = i * p;
    for (let k = 0; k < m; k++) {
      const v = A[i * m + k];
      if (v === 0) continue;
      const r = k * p;
      for (let j = 0; j < p; j++) out[o + j] += v * B[r + j];
    }
  }
  return { rows: n, cols: p, data: out };
}

export function transpose(a: Matrix): Matrix {
  const out = new Float64Array(a.rows * a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out[j * a.rows + i] = a.data[i * a.cols + j];
  return { rows: a.cols, cols: a.rows, data: out };
}

/** Σ a[i,j]·b[i,j] (= trace(aᵀ b)). */
export function frobeniusDot(a: Matrix, b: Matrix): number {
  if (a.rows !== b.rows || a.cols !== b.cols) throw new Error('frobeniusDot: shapes differ');
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += a.data[i] * b.data[i];
  return s;
}

export function trace(a: Matrix): number {
  if (a.rows !== a.cols) throw new Error('trace: not square');
  let s = 0;
  for (let i = 0; i < a.rows; i++) s += a.data[i * a.cols + i];
  return s;
}
