import { describe, expect, it } from 'vitest';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { buildPlantedModel } from '@/lib/testing/planted-models';
import { headMetrics } from '@/lib/metrics/heads/registry';
import { comparePlantedToDetected } from '@/lib/models/planted-truth';
import { computeHeadWiki } from './compute-head-wiki';

const texts = [
  'The cat sat on the mat. The dog sat on the log. The cat and the dog were friends.',
  'abcabcabcabc',
  'Once upon a time there was a girl who liked to read books. She read books about the sea.',
];

describe('computeHeadWiki: the whole suite on the planted model (copying head included)', () => {
  it('every registered metric, composition with its baseline, and exactly the planted labels', { timeout: 120_000 }, async () => {
    const planted = buildPlantedModel({ copyingHead: true });
    const progress: string[] = [];
    const wiki = await computeHeadWiki({
      model: planted.model,
      tokenizer: planted.tokenizer,
      runner: new OnnxRunner(planted.model),
      texts,
      seed: 0,
      onProgress: (p) => progress.push(p.step),
      // The planted heads are 192-dimensional in a 320-dimensional stream, so each random draw costs ~70 M
      // multiply-adds; 3 draws keep the test fast (real runs use 200; the baseline itself is tested separately).
      baselineDraws: 3,
    });
    expect(Object.keys(wiki.metricVersions)).toEqual(headMetrics.map((m) => m.id));
    expect(wiki.metrics).toHaveLength(headMetrics.length * 6);
    expect(progress.slice(-4)).toEqual(['composition', 'labels (ablations)', 'example patterns', 'done']);

    // 3 kinds × 3 sources × 3 destinations; the only composing pair is the planted K-composition.
    expect(wiki.composition!.scores).toHaveLength(27);
    const composing = wiki.composition!.scores.filter((c) => c.value > 0);
    expect(composing).toEqual([{ kind: 'k', srcLayer: 0, srcHead: 1, dstLayer: 1, dstHead: 1, value: expect.closeTo(0.125, 12) }]);
    const baseline = wiki.composition!.baselines;
    expect(baseline.map((b) => b.kind)).toEqual(['q', 'k', 'v']);
    expect(baseline[0].draws).toBe(3);
    // The planted composition stands far above random matrices of the same (320 × 192) shapes.
    expect((0.125 - baseline[1].mean) / baseline[1].std).toBeGreaterThan(5);

    const labels = wiki.labels!.map((l) => `${l.label}:L${l.layer}H${l.head}:${l.status}`).sort();
    expect(labels).toEqual([
      'copying:L1H1:confirmed',
      'copying:L1H2:confirmed',
      'duplicate_token:L0H2:not_confirmed',
      'induction:L1H1:confirmed',
      'previous_token:L0H1:confirmed',
    ]);
    // The model page's planted-vs-detected panel on these labels: every planted head found; the induction head's OV
    // also copies (it must, to predict the repeated token), so its copying label is the one head/role not planted.
    const comparison = comparePlantedToDetected(planted.model.plantedTruth!, wiki.labels!);
    expect(comparison.map((r) => `${r.outcome}:${r.role}:L${r.layer}H${r.head}`)).toEqual([
      'detected:previous_token:L0H1',
      'detected:duplicate_token:L0H2',
      'detected:induction:L1H1',
      'detected:copying:L1H2',
      'false_positive:copying:L1H1',
    ]);
    expect(wiki.notes).toMatchObject({
      successorSequences: { usable: ['digits', 'letters_lower', 'letters_upper'] },
      labelAblation: 'mean',
    });
  });
});
