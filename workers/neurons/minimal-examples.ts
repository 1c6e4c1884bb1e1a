/**
 * Minimal examples by truncation (open problem 6.36): for a neuron's top examples, the shortest suffix of
 * the text ending at the max token that, read alone after BOS, still gives ≥ `keep` (50 %) of the original
 * activation. Suffix lengths are tried shortest first (1..16 one by one, then 20, 24, 32, 40, 48, ...
 * up to the stored window), batched across all neurons and examples of the same length, and only for
 * examples not resolved yet — most neurons of small models respond to a few tokens, so this stays cheap.
 */
import type { ForwardRunner } from '@/lib/engine/types';
import type { UnitExample } from '@/lib/metrics/streaming';
import { siteHook, type NeuronSite } from '@/lib/metrics/neurons/sites';

export interface MinimalResult {
  /** Tokens after BOS in the shortest suffix that keeps ≥ keep · value; null when none up to `available`. */
  length: number | null;
  /** The activation that suffix gives. */
  value: number | null;
  /** Tokens available before (and including) the max token in the stored window. */
  available: number;
}

export interface MinimalRequest {
  layer: number;
  site: NeuronSite;
  neuron: number;
  examples: UnitExample[];
}

export interface MinimalOptions {
  bosId: number;
  keep?: number;
  /** Sequences per forward. */
  batchSize?: number;
  onProgress?: (p: { step: string; done: number; total: number }) => void;
}

export function suffixLengths(max: number): number[] {
  const out: number[] = [];
  for (let m = 1; m <= Math.min(16, max); m++) out.push(m);
  for (let m = 20; m < max; m += m < 32 ? 4 : 8) out.push(m);
  if (out[out.length - 1] !== max && max > 0) out.push(max);
  return out;
}

interface Candidate {
  prefix: number[]; // tokens before and including the max token, no BOS
  wants: { req: number; ex: number; target: number }[];
  open: number;
}

/** results[i][j]: request i's example j. */
export async function findMinimalExamples(
  runner: ForwardRunner,
  requests: MinimalRequest[],
  opts: MinimalOptions,
): Promise<MinimalResult[][]> {
  const keep = opts.keep ?? 0.5;
  const batchSize = opts.batchSize ?? 128;
  const results: MinimalResult[][] = requests.map((r) =>
    r.examples.map((e) => ({ length: null, value: null, available: availableTokens(e) })),
  );
  // One candidate per distinct (context, position): one forward serves every neuron that peaks there.
  const byPlace = new Map<string, Candidate>();
  requests.forEach((r, req) =>
    r.examples.forEach((e, ex) => {
      if (!(e.value > 0)) return; // "50 % of a non-positive activation" is not a meaningful target
      const key = `${e.doc}:${e.pos}`;
      let c = byPlace.get(key);
      if (!c) {
        const at = e.pos - e.windowStart;
        const start = e.windowStart === 0 ? 1 : 0; // drop BOS when the window starts at the context's start
        c = { prefix: e.tokens.slice(start, at + 1), wants: [], open: 0 };
        byPlace.set(key, c);
      }
      c.wants.push({ req, ex, target: keep * e.value });
      c.open++;
    }),
  );
  const candidates = [...byPlace.values()];
  const maxLen = candidates.reduce((a, c) => Math.max(a, c.prefix.length), 0);
  const lengths = suffixLengths(maxLen);
  const hooksOf = new Map<string, string>();
  for (const r of requests) hooksOf.set(siteHook(r.layer, r.site), siteHook(r.layer, r.site));
  const hooks = [...hooksOf.keys()];

  for (const [li, m] of lengths.entries()) {
    opts.onProgress?.({ step: 'minimal examples', done: li, total: lengths.length });
    // A candidate shorter than the next scheduled length is tried at its own full length now.
    const nextM = lengths[li + 1] ?? Infinity;
    const group = candidates.filter((c) => c.open > 0 && c.prefix.length >= m);
    const extra = candidates.filter((c) => c.open > 0 && c.prefix.length > m && c.prefix.length < nextM);
    await runLength(group, m);
    // extra: their full prefix falls between two scheduled lengths (re-filtered: some just resolved).
    for (const len of [...new Set(extra.map((c) => c.prefix.length))])
      await runLength(
        extra.filter((c) => c.open > 0 && c.prefix.length === len),
        len,
      );
  }
  opts.onProgress?.({ step: 'minimal examples', done: lengths.length, total: lengths.length });
  return results;

  async function runLength(group: Candidate[], m: number): Promise<void> {
    for (let i = 0; i < group.length; i += batchSize) {
      const chunk = group.slice(i, i + batchSize);
      const seqs = chunk.map((c) => [opts.bosId, ...c.prefix.slice(c.prefix.length - m)]);
      const cache = await runner.run(seqs, hooks);
      chunk.forEach((c, b) => {
        for (const w of c.wants) {
          const res = results[w.req][w.ex];
          if (res.length !== null) continue;
          const r = requests[w.req];
          const t = cache.get(siteHook(r.layer, r.site))!;
          const d = t.shape[2];
          const v = t.data[(b * (m + 1) + m) * d + r.neuron];
          if (v >= w.target) {
            res.length = m;
            res.value = v;
            c.open--;
          }
        }
      });
    }
  }
}

function availableTokens(e: UnitExample): number {
  return e.pos - e.windowStart + (e.windowStart === 0 ? 0 : 1);
}

/** Share of examples whose activation survives truncation to a strictly shorter suffix. */
export function minimalRate(results: MinimalResult[]): number | null {
  const tried = results.filter((r) => r.available > 0);
  if (tried.length === 0) return null;
  return tried.filter((r) => r.length !== null && r.length < r.available).length / tried.length;
}
