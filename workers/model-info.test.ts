import { describe, expect, it } from 'vitest';
import { resolveModel } from '@/lib/models/registry';
import { modelInfo } from './model-info';
import { prepareModelForRun } from './weight-processing';

describe('modelInfo', () => {
  it('counts the shared classifier of stories260K once: 260,032 parameters, as llama2.c documents', async () => {
    const { model } = await resolveModel('stories260K');
    const info = modelInfo(model);
    expect(info.nParams).toBe(260_032);
    expect(info.nKvHeads).toBe(4);
    expect(info.description).toContain('grouped-query attention');
  });

  it("keeps the checkpoint's count after weight processing (a centred W_U is no longer W_Eᵀ)", async () => {
    const { model } = await resolveModel('stories260K');
    const processed = prepareModelForRun(model).model;
    expect(processed.weights.get('unembed.W_U')!.data[0]).not.toBe(model.weights.get('unembed.W_U')!.data[0]);
    expect(modelInfo(processed).nParams).toBe(260_032);
  });
});
