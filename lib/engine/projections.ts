import type { HookName } from './types';

/**
 * Projections: a hook's activations times a matrix given with the run, `hook · matrix`, computed inside the
 * ONNX graph as one extra MatMul whose result comes back as `projectedName(hook)` [batch, pos, columns].
 * Why: the neuron scan's random-direction baseline (problem 6.31) projects every token's d_mlp activations
 * onto R directions; in JavaScript that matmul cost more than the whole forward pass, in the graph it is
 * one small GEMM next to the model's own.
 *
 * The matrix is a graph input (`${hook}:matrix`, [hook's last dim, columns]), so one cached session serves any
 * matrix of that width. Runners that do not support projections (ReferenceRunner, test fakes) leave the
 * projected entry out of the cache; callers then compute it themselves.
 *
 *   const cache = await runner.run(tokens, ['blocks.0.mlp.hook_post'], { projections: [{ hook: 'blocks.0.mlp.hook_post', matrix, columns: 16 }] });
 *   cache.get(projectedName('blocks.0.mlp.hook_post')) // [batch, pos, 16]
 */
export interface Projection {
  /** A requested hook whose last axis the matrix's rows match (e.g. mlp.hook_post: d_mlp). */
  hook: HookName;
  /** Row-major [rows, columns]. */
  matrix: Float32Array;
  columns: number;
}

/** The graph input holding a hook's projection matrix. */
export function projectionMatrixName(hook: HookName): string {
  return `${hook}:matrix`;
}

/** The graph output (and cache key) of a hook's projection. */
export function projectedName(hook: HookName): string {
  return `${hook}:projected`;
}

/** Checks a run's projections against the requested hooks and each hook's last dimension; returns the hooks, sorted. */
export function checkProjections(projections: Projection[], hooks: HookName[], lastDim: (hook: HookName) => number): HookName[] {
  const seen = new Set<HookName>();
  for (const p of projections) {
    if (!hooks.includes(p.hook)) throw new Error(`projection of ${p.hook}: the hook must also be requested`);
    if (seen.has(p.hook)) throw new Error(`projection of ${p.hook}: at most one projection per hook`);
    seen.add(p.hook);
    const rows = lastDim(p.hook);
    if (!(Number.isInteger(p.columns) && p.columns >= 1) || p.matrix.length !== rows * p.columns) {
      throw new Error(`projection of ${p.hook}: matrix has ${p.matrix.length} values; expected ${rows} × ${p.columns}`);
    }
  }
  return [...seen].sort();
}
