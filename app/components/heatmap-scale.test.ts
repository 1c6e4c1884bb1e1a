import { describe, expect, it } from 'vitest';
import { heatmapDomain } from './heatmap-scale';

describe('heatmap colour domain', () => {
  it('auto stretches a map whose values fill little of the range (an induction map topping at 0.011)', () => {
    expect(heatmapDomain('auto', [0, 1], { lo: 0.001, hi: 0.011 })).toEqual({ domain: [0.001, 0.011], stretched: true });
    // Values spread over the range keep the comparable full-range colours.
    expect(heatmapDomain('auto', [0, 1], { lo: 0.02, hi: 0.93 })).toEqual({ domain: [0, 1], stretched: false });
  });

  it("follows the reader's choice either way, and never stretches a constant map", () => {
    expect(heatmapDomain('full', [0, 1], { lo: 0.001, hi: 0.011 }).stretched).toBe(false);
    expect(heatmapDomain('model', [0, 1], { lo: 0.02, hi: 0.93 })).toEqual({ domain: [0.02, 0.93], stretched: true });
    expect(heatmapDomain('model', [0, 1], { lo: 0.5, hi: 0.5 }).stretched).toBe(false);
    expect(heatmapDomain('auto', [0, 1], null).stretched).toBe(false);
  });
});
