import { describe, expect, it } from 'vitest';
import { buildPlantedIoiModel, PLANTED_IOI_HEADS } from '../testing/planted-circuits';
import { copyModel } from '../testing/diff-fixtures';
import { circuitDiffTasks } from './circuit-tasks';
import { prepareDiffModel } from './model';
import { computeTaskDiffs } from './tasks';

describe('the circuit tasks in a diff', () => {
  it('the planted IOI model does IOI; the copy without its name movers does not; tasks its tokenizer cannot express say why', async () => {
    const planted = buildPlantedIoiModel();
    const broken = copyModel(planted.model);
    // Remove both name movers' outputs: nothing copies the indirect object to the logits any more.
    for (const { layer, head } of PLANTED_IOI_HEADS.nameMovers) {
      const W_O = broken.weights.get(`blocks.${layer}.attn.W_O`)!;
      const per = W_O.data.length / broken.cfg.n_heads;
      W_O.data.fill(0, head * per, (head + 1) * per);
    }
    const a = await prepareDiffModel('planted', planted.model, planted.tokenizer);
    const b = await prepareDiffModel('no-name-movers', broken, planted.tokenizer);
    const rows = await computeTaskDiffs(a, b, circuitDiffTasks({ count: 8, seed: 1 }));
    const accuracy = rows.find((r) => r.task === 'ioi' && r.metric === 'accuracy')!;
    expect(accuracy.a).toBeGreaterThanOrEqual(0.7);
    expect(accuracy.b!).toBeLessThan(accuracy.a!);
    expect(accuracy.n).toBe(8);
    const clean = rows.find((r) => r.task === 'ioi' && r.metric === 'clean')!;
    expect(clean.diff!).toBeLessThan(0);
    // The planted word-level vocabulary has no numbers or country names: greater-than is unavailable, with a reason.
    const gt = rows.filter((r) => r.task === 'greater_than');
    expect(gt).toHaveLength(1);
    expect(gt[0]).toMatchObject({ a: null, b: null, n: 0 });
    expect(gt[0].note).toMatch(/planted: .+; no-name-movers: .+/);
  });
});
