import { describe, expect, it } from 'vitest';
import { partnersOf } from './composition-partners';

const score = (srcHead: number, value: number) => ({ kind: 'k' as const, srcLayer: 0, srcHead, dstLayer: 1, dstHead: 0, value });

describe('composition partners', () => {
  const baseline = { kind: 'k' as const, mean: 0.1, std: 0.02, draws: 100, seed: 0 };

  it('keeps only scores at least 2σ above the random baseline, strongest first', () => {
    // z: 0.2 → +5σ, 0.15 → +2.5σ, 0.12 → +1σ, 0.056 → −2.2σ
    const out = partnersOf([score(0, 0.12), score(1, 0.2), score(2, 0.056), score(3, 0.15)], baseline, 'src');
    expect(out.partners.map((p) => [p.head, Number(p.z!.toFixed(1))])).toEqual([
      [1, 5],
      [3, 2.5],
    ]);
    expect(out.hidden).toBe(2);
  });

  it('reads the other end for downstream partners, and keeps every score when there is no baseline', () => {
    const out = partnersOf([{ kind: 'k', srcLayer: 0, srcHead: 0, dstLayer: 2, dstHead: 5, value: 0.01 }], undefined, 'dst');
    expect(out.partners).toEqual([{ layer: 2, head: 5, value: 0.01, z: null }]);
    expect(out.hidden).toBe(0);
  });
});
