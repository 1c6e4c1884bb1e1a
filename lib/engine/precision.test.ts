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
        graph: 'float32',
        compute: 'float32',
        keptFloat16: false,
        storage: 'inputs',
        provider: 'cpu',
        why: 'F16 widened to float32 on load, tensor by tensor: the cpu provider computes in float32',
      });
    } finally {
      await runner.dispose();
    }
  });

  it('CUDA with a 16-bit checkpoint computes its matrix products in float16', () => {
    const model = randomModel({}, { seed: 1 });
    model.source = { ...model.source, dtype: 'BF16' };
    expect(weightPrecision(model, { activeProvider: 'cuda', weightStorage: 'initializers' })).toMatchObject({
      graph: 'float16',
      compute: 'float16',
      why: 'BF16 checkpoint on cuda: float16 matrices, norms and softmax in float32',
    });
    expect(weightPrecision(randomModel({}), { activeProvider: 'cpu', weightStorage: 'inputs' }).checkpoint).toBeNull();
  });
});
