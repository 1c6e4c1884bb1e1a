/** Server side of lib/api/composition-view.ts: a composition matrix as a PNG (node:zlib, never in a client bundle). */
import { encodeRgbPng, parseColor } from '@/lib/format/png';
import { COMPOSITION_EMPTY, COMPOSITION_HATCH } from './composition-view';

/**
 * `values[src * n + dst]` (NaN where there is no pair) → n × n PNG: rows the writing head, columns the reading head;
 * scores within 2σ of the random baseline in the hatch grey, as CompositionMatrix draws them.
 */
export function compositionPng(
  values: Float32Array,
  n: number,
  baseline: { mean: number; std: number } | null,
  color: (v: number) => string,
): Buffer {
  const rgb = new Uint8Array(n * n * 3);
  const empty = parseColor(COMPOSITION_EMPTY);
  const hatch = parseColor(COMPOSITION_HATCH);
  const cache = new Map<string, [number, number, number]>();
  for (let i = 0; i < n * n; i++) {
    const v = values[i];
    let c = empty;
    if (!Number.isNaN(v)) {
      if (baseline && !(v > baseline.mean + 2 * baseline.std)) c = hatch;
      else {
        const css = color(v);
        c = cache.get(css) ?? parseColor(css);
        cache.set(css, c);
      }
    }
    rgb.set(c, i * 3);
  }
  return encodeRgbPng(n, n, rgb);
}
