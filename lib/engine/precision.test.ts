import { describe, expect, it } from 'vitest';
import { randomModel } from './random-model';
import { OnnxRunner } from './onnx-runner';
import { weightPrecision } from './precision';

describe("weightPrecision (recorded in runs' options)", () => {
  it('a float16 checkpoint on the CPU: widened to float32, weights as inputs', async () => {
    const model = randomModel({}, { seed: 1 });
    model.source = { ...model.source, dtype: 'F16' };
    const runner = await OnnxRunner.create(model, { executionProviders: ['cpu'] });
    try {
      expect(weightPrecision(model, runner)).toEqual({
        checkpoint: 'F16',
        compute: 'float32',
        storage: 'inputs',
        provider: 'cpu',
        why: 'F16 widened to float32 on load, tensor by tensor: the CPU provider computes in float32',
      });
    } finally {
      await runner.dispose();
    }
  });

  it('CUDA with a 16-bit checkpoint says it still computes in float32', () => {
    const model = randomModel({}, { seed: 1 });
    model.source = { ...model.source, dtype: 'BF16' };
    expect(weightPrecision(model, { activeProvider: 'cuda', weightStorage: 'initializers' }).why).toMatch(
      /BF16 widened to float32 on load: float16 graphs for cuda are not built yet/,
    );
    expect(weightPrecision(randomModel({}), { activeProvider: 'cpu', weightStorage: 'inputs' }).checkpoint).toBeNull();
  });
});
