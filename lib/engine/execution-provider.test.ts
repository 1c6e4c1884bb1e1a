import { describe, expect, it } from 'vitest';
import type * as ort from 'onnxruntime-node';
import { chooseExecutionProviders, createSessionWithFallback, parseExecutionProviderSetting } from './execution-provider';
import { OnnxRunner } from './onnx-runner';
import { randomModel } from './random-model';

describe('chooseExecutionProviders', () => {
  it('HEADWIKI_EP=cpu and =cuda force the choice; auto takes CUDA only when onnxruntime has it and there is a GPU', () => {
    expect(chooseExecutionProviders({ setting: 'cpu', backends: ['cpu', 'cuda'], hasNvidiaDevice: true })).toEqual(['cpu']);
    expect(chooseExecutionProviders({ setting: 'cuda', backends: ['cpu'], hasNvidiaDevice: false })).toEqual(['cuda']);
    expect(chooseExecutionProviders({ setting: 'auto', backends: ['cpu', 'cuda'], hasNvidiaDevice: true })).toEqual(['cuda', 'cpu']);
    expect(chooseExecutionProviders({ setting: '', backends: ['cpu', 'cuda'], hasNvidiaDevice: false })).toEqual(['cpu']);
    expect(chooseExecutionProviders({ setting: 'auto', backends: ['cpu'], hasNvidiaDevice: true })).toEqual(['cpu']);
  });

  it('HEADWIKI_EXECUTION_PROVIDERS gives an explicit list when HEADWIKI_EP is unset; HEADWIKI_EP wins over it', () => {
    expect(chooseExecutionProviders({ setting: '', list: 'cuda, CPU', backends: ['cpu'], hasNvidiaDevice: false })).toEqual([
      'cuda',
      'cpu',
    ]);
    expect(chooseExecutionProviders({ setting: 'cpu', list: 'cuda,cpu', backends: ['cpu', 'cuda'], hasNvidiaDevice: true })).toEqual([
      'cpu',
    ]);
    expect(() => chooseExecutionProviders({ setting: '', list: 'cuda,tpu' })).toThrow(
      /HEADWIKI_EXECUTION_PROVIDERS must be .* got "cuda,tpu"/,
    );
  });

  it('rejects an unknown setting with a clear message', () => {
    expect(() => parseExecutionProviderSetting('tpu')).toThrow(/HEADWIKI_EP must be cpu, cuda or auto; got "tpu"/);
    expect(parseExecutionProviderSetting(' CUDA ')).toBe('cuda');
  });
});

describe('createSessionWithFallback', () => {
  const fakeSession = {} as ort.InferenceSession;

  it('falls back to the CPU with one log line when the CUDA session cannot be created', async () => {
    const attempts: string[][] = [];
    const logs: string[] = [];
    const result = await createSessionWithFallback(
      new Uint8Array(),
      {},
      ['cuda', 'cpu'],
      (m) => logs.push(m),
      async (_b, o) => {
        attempts.push(o.executionProviders as string[]);
        if ((o.executionProviders as string[])[0] === 'cuda') throw new Error('Failed to load shared library');
        return fakeSession;
      },
    );
    expect(result).toEqual({ session: fakeSession, provider: 'cpu' });
    expect(attempts).toEqual([['cuda', 'cpu'], ['cpu']]);
    expect(logs).toEqual(['execution provider cuda failed (Failed to load shared library); using the CPU']);
  });

  it('uses CUDA when it works, and does not fall back when CUDA was forced', async () => {
    const ok = await createSessionWithFallback(
      new Uint8Array(),
      {},
      ['cuda', 'cpu'],
      () => {},
      async () => fakeSession,
    );
    expect(ok.provider).toBe('cuda');
    await expect(
      createSessionWithFallback(
        new Uint8Array(),
        {},
        ['cuda'],
        () => {},
        async () => {
          throw new Error('no CUDA');
        },
      ),
    ).rejects.toThrow('no CUDA');
  });

  it('with the real onnxruntime here (no CUDA libraries), a runner asked for cuda,cpu still runs (on the CPU where CUDA cannot load)', async () => {
    const logs: string[] = [];
    const runner = new OnnxRunner(randomModel({}), { executionProviders: ['cuda', 'cpu'], log: (m) => logs.push(m) });
    try {
      const logits = (await runner.run([[1, 2, 3]], ['logits'])).get('logits')!;
      expect(logits.shape).toEqual([1, 3, 40]);
      await runner.run([[1, 2, 3]], ['blocks.0.hook_resid_post']);
      // Whether CUDA loads depends on the machine; where it does not, exactly one line says so (not one per session).
      if (runner.activeProvider === 'cpu') expect(logs).toHaveLength(1);
      else expect(runner.activeProvider).toBe('cuda');
    } finally {
      await runner.dispose();
    }
  });
});
