/**
 * Eigenvalues of a small real square matrix in float64: reduction to upper Hessenberg form by
 * stabilised elementary similarity transforms, then the Francis double-shift QR iteration
 * (EISPACK `elmhes` + `hqr`, as in Numerical Recipes §11.5–11.6). Meant for d_head × d_head
 * matrices (tens to a few hundred rows): O(n³), no eigenvectors.
 */

export interface Eigenvalues {
  /** Real parts, one per eigenvalue (complex pairs appear as two entries). */
  re: Float64Array;
  /** Imaginary parts. */
  im: Float64Array;
}

/** `matrix` is n×n, row-major (any array-like of numbers). */
export function eigenvalues(matrix: ArrayLike<number>, n: number): Eigenvalues {
  if (!Number.isInteger(n) || n < 0) throw new Error(`eigenvalues: n must be a non-negative integer; got ${n}`);
  if (matrix.length !== n * n) throw new Error(`eigenvalues: matrix has ${matrix.length} entries; expected n² = ${n * n}`);
  const a: Float64Array[] = Array.from({ length: n }, (_, i) => Float64Array.from({ length: n }, (_, j) => matrix[i * n + j]));
  for (const row of a) {
    for (const v of row) if (!Number.isFinite(v)) throw new Error('eigenvalues: matrix has a non-finite entry');
  }
  toHessenberg(a);
  return hessenbergQr(a);
}

/** Σλ's real part and Σ|λ| — what the copying score needs. */
export function eigenvalueSums(matrix: ArrayLike<number>, n: number): { sumRe: number; sumAbs: number } {
  const { re, im } = eigenvalues(matrix, n);
  let sumRe = 0;
  let sumAbs = 0;
  for (let i = 0; i < n; i++) {
    sumRe += re[i];
    sumAbs += Math.hypot(re[i], im[i]);
  }
  return { sumRe, sumAbs };
}

/** In place: Gaussian elimination with pivoting, a similarity transform to upper Hessenberg form. */
function toHessenberg(a: Float64Array[]): void {
  const n = a.length;
  for (let m = 1; m < n - 1; m++) {
    let x = 0;
    let pivot = m;
    for (let j = m; j < n; j++) {
      if (Math.abs(a[j][m - 1]) > Math.abs(x)) {
        x = a[j][m - 1];
        pivot = j;
      }
    }
    if (pivot !== m) {
      for (let j = m - 1; j < n; j++) [a[pivot][j], a[m][j]] = [a[m][j], a[pivot][j]];
      for (let j = 0; j < n; j++) [a[j][pivot], a[j][m]] = [a[j][m], a[j][pivot]];
    }
    if (x !== 0) {
      for (let i = m + 1; i < n; i++) {
        let y = a[i][m - 1];
        if (y !== 0) {
          y /= x;
          a[i][m - 1] = 0;
          for (let j = m; j < n; j++) a[i][j] -= y * a[m][j];
          for (let j = 0; j < n; j++) a[j][m] += y * a[j][i];
        }
      }
    }
  }
}

const sign = (a: number, b: number) => (b >= 0 ? Math.abs(a) : -Math.abs(a));

/** Eigenvalues of an upper Hessenberg matrix (destroyed): Francis double-shift QR with deflation. */
function hessenbergQr(a: Float64Array[]): Eigenvalues {
  const n = a.length;
  const wr = new Float64Array(n);
  const wi = new Float64Array(n);
  let anorm = 0;
  for (let i = 0; i < n; i++) for (let j = Math.max(i - 1, 0); j < n; j++) anorm += Math.abs(a[i][j]);
  let nn = n - 1;
  let t = 0;
  let p = 0,
    q = 0,
    r = 0;
  let s: number, w: number, x: number, y: number, z: number;
  while (nn >= 0) {
    let its = 0;
    let l: number;
    do {
      // Look for a single small subdiagonal element to split the matrix.
      for (l = nn; l >= 1; l--) {
        s = Math.abs(a[l - 1][l - 1]) + Math.abs(a[l][l]);
        if (s === 0) s = anorm;
        if (Math.abs(a[l][l - 1]) + s === s) {
          a[l][l - 1] = 0;
          break;
        }
      }
      x = a[nn][nn];
      if (l === nn) {
        // One root found.
        wr[nn] = x + t;
        wi[nn] = 0;
        nn--;
      } else {
        y = a[nn - 1][nn - 1];
        w = a[nn][nn - 1] * a[nn - 1][nn];
        if (l === nn - 1) {
          // Two roots found: the trailing 2×2 block.
          p = 0.5 * (y - x);
          q = p * p + w;
          z = Math.sqrt(Math.abs(q));
          x += t;
          if (q >= 0) {
            z = p + sign(z, p);
            wr[nn - 1] = wr[nn] = x + z;
            if (z !== 0) wr[nn] = x - w / z;
            wi[nn - 1] = wi[nn] = 0;
          } else {
            wr[nn - 1] = wr[nn] = x + p;
            wi[nn - 1] = -z;
            wi[nn] = z;
          }
          nn -= 2;
        } else {
          if (its === 60) throw new Error('eigenvalues: QR iteration did not converge (60 iterations for one eigenvalue)');
          if (its === 10 || its === 20 || its === 40) {
            // Exceptional shift.
            t += x;
            for (let i = 0; i <= nn; i++) a[i][i] -= x;
            s = Math.abs(a[nn][nn - 1]) + Math.abs(a[nn - 1][nn - 2]);
            y = x = 0.75 * s;
            w = -0.4375 * s * s;
          }
          its++;
          // Form the shift and look for two consecutive small subdiagonal elements.
          let m: number;
          for (m = nn - 2; m >= l; m--) {
            z = a[m][m];
            r = x - z;
            s = y - z;
            p = (r * s - w) / a[m + 1][m] + a[m][m + 1];
            q = a[m + 1][m + 1] - z - r - s;
            r = a[m + 2][m + 1];
            s = Math.abs(p) + Math.abs(q) + Math.abs(r);
            p /= s;
            q /= s;
            r /= s;
            if (m === l) break;
            const u = Math.abs(a[m][m - 1]) * (Math.abs(q) + Math.abs(r));
            const v = Math.abs(p) * (Math.abs(a[m - 1][m - 1]) + Math.abs(z) + Math.abs(a[m + 1][m + 1]));
            if (u + v === v) break;
          }
          for (let i = m + 2; i <= nn; i++) {
            a[i][i - 2] = 0;
            if (i !== m + 2) a[i][i - 3] = 0;
          }
          // Double QR step on rows l..nn and columns m..nn.
          for (let k = m; k <= nn - 1; k++) {
            if (k !== m) {
              p = a[k][k - 1];
              q = a[k + 1][k - 1];
              r = 0;
              if (k !== nn - 1) r = a[k + 2][k - 1];
              x = Math.abs(p) + Math.abs(q) + Math.abs(r);
              if (x !== 0) {
                p /= x;
                q /= x;
                r /= x;
              }
            }
            s = sign(Math.sqrt(p * p + q * q + r * r), p);
            if (s !== 0) {
              if (k === m) {
                if (l !== m) a[k][k - 1] = -a[k][k - 1];
              } else {
                a[k][k - 1] = -s * x;
              }
              p += s;
              x = p / s;
              y = q / s;
              z = r / s;
              q /= p;
              r /= p;
              for (let j = k; j <= nn; j++) {
                p = a[k][j] + q * a[k + 1][j];
                if (k !== nn - 1) {
                  p += r * a[k + 2][j];
                  a[k + 2][j] -= p * z;
                }
                a[k + 1][j] -= p * y;
                a[k][j] -= p * x;
              }
              const mmin = nn < k + 3 ? nn : k + 3;
              for (let i = l; i <= mmin; i++) {
                p = x * a[i][k] + y * a[i][k + 1];
                if (k !== nn - 1) {
                  p += z * a[i][k + 2];
                  a[i][k + 2] -= p * r;
                }
                a[i][k + 1] -= p * q;
                a[i][k] -= p;
              }
            }
          }
        }
      }
    } while (l < nn - 1);
  }
  return { re: wr, im: wi };
}
