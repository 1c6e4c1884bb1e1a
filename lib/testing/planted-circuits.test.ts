import { describe, expect, it } from 'vitest';
import { ReferenceRunner } from '../engine/reference';
import { buildTask } from '../circuits/tasks';
import { checkTaskPerformance } from '../circuits/performance';
import { buildPlantedIoiModel, PLANTED_CIRCUIT } from './planted-circuits';

describe('the planted IOI circuit model', () => {
  const { model, tokenizer } = buildPlantedIoiModel();
  const runner = new ReferenceRunner(model);

  it('performs IOI: logit difference = UNEMBED on clean prompts, 0 with ABC names', async () => {
    const build = buildTask('ioi', tokenizer, { count: 8 });
    if (!build.ok) throw new Error(build.reason);
    expect(build.task.pairs).toHaveLength(8);
    const usability = await checkTaskPerformance(runner, model, build.task);
    expect(usability.status).toBe('usable');
    expect(usability.performance!.cleanMetric).toBeCloseTo(PLANTED_CIRCUIT.unembed, 2);
    expect(usability.performance!.corruptedMetric).toBeCloseTo(0, 4);
    expect(usability.performance!.accuracy).toBe(1);
  });

  it('cannot express the other tasks (their words are not in its vocabulary): they are reported, not faked', () => {
    for (const kind of ['greater_than', 'icl_antonym', 'factual_recall'] as const) expect(buildTask(kind, tokenizer).ok).toBe(false);
  });
});
