import { describe, expect, it } from 'vitest';
import type { HeadLabelValue } from '@/lib/db/head-labels';
import { buildPlantedModel } from '@/lib/testing/planted-models';
import { modelInfo } from '@/workers/model-info';
import { comparePlantedToDetected, plantedTruthOf, type PlantedHead } from './planted-truth';

function label(layer: number, head: number, name: string, score: number, status: HeadLabelValue['status']): HeadLabelValue {
  return {
    layer,
    head,
    label: name,
    metricId: name,
    score,
    threshold: 0.3,
    status,
    effect: null,
    effectThreshold: 0.05,
    effectUnit: 'score',
    detail: '',
    ablation: 'mean',
  };
}

describe('comparePlantedToDetected', () => {
  const planted: PlantedHead[] = [
    { layer: 0, head: 1, role: 'previous_token' },
    { layer: 0, head: 2, role: 'duplicate_token' },
    { layer: 1, head: 1, role: 'induction' },
  ];

  it('sorts planted heads into detected and missed, and lists unplanted labels as false positives', () => {
    const labels = [
      label(0, 1, 'previous_token', 0.98, 'confirmed'),
      // Right head, wrong role: not a detection of the planted duplicate-token head, and a false positive.
      label(0, 2, 'previous_token', 0.41, 'not_confirmed'),
      label(1, 1, 'induction', 0.87, 'untestable'),
      label(1, 3, 'copying', 0.75, 'confirmed'),
    ];
    const metric: Record<string, number> = { '0:2:duplicate_token': 0.12 };
    const rows = comparePlantedToDetected(planted, labels, (l, h, id) => metric[`${l}:${h}:${id}`] ?? null);
    expect(rows.map((r) => [`L${r.layer}H${r.head}`, r.role, r.outcome, r.status, r.score])).toEqual([
      ['L0H1', 'previous_token', 'detected', 'confirmed', 0.98],
      ['L0H2', 'duplicate_token', 'missed', null, 0.12],
      ['L1H1', 'induction', 'detected', 'untestable', 0.87],
      ['L0H2', 'previous_token', 'false_positive', 'not_confirmed', 0.41],
      ['L1H3', 'copying', 'false_positive', 'confirmed', 0.75],
    ]);
    // A missed head's threshold is its label rule's, so the page can show how far below it the score fell.
    expect(rows[1].threshold).toBe(0.3);
  });

  it('reports a missed head with no score when the run lacks the metric', () => {
    const rows = comparePlantedToDetected([{ layer: 0, head: 0, role: 'copying' }], []);
    expect(rows).toEqual([{ layer: 0, head: 0, role: 'copying', outcome: 'missed', status: null, score: null, threshold: 0.7 }]);
  });
});

describe('plantedTruthOf', () => {
  it('reads the planted model’s metadata as modelInfo stores it', () => {
    const info = modelInfo(buildPlantedModel({ copyingHead: true }).model);
    expect(plantedTruthOf(info.config)).toEqual([
      { layer: 0, head: 1, role: 'previous_token' },
      { layer: 0, head: 2, role: 'duplicate_token' },
      { layer: 1, head: 1, role: 'induction' },
      { layer: 1, head: 2, role: 'copying' },
    ]);
    // Zeroing L0H1's OV breaks the induction head by construction: it is not planted truth then.
    const ablated = plantedTruthOf(modelInfo(buildPlantedModel({ ablatePreviousTokenOV: true }).model).config);
    expect(ablated?.map((p) => p.role)).toEqual(['previous_token', 'duplicate_token']);
  });

  it('is null for real models and for malformed metadata', () => {
    expect(plantedTruthOf({ n_layers: 2 })).toBeNull();
    expect(plantedTruthOf(null)).toBeNull();
    expect(plantedTruthOf({ plantedTruth: [] })).toBeNull();
    expect(plantedTruthOf({ plantedTruth: [{ layer: -1, head: 0, role: 'induction' }] })).toBeNull();
    expect(plantedTruthOf({ plantedTruth: [{ layer: 0, head: 0, role: 'name_mover' }] })).toBeNull();
  });
});
