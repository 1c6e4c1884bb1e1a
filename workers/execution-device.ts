/**
 * A worker's device. The choice itself is lib/engine/execution-provider.ts' (HEADWIKI_EP=cpu|cuda|auto: CUDA
 * when onnxruntime and the machine have it, falling back to the CPU when the CUDA session cannot start); this
 * only names the result for the worker's status row and the run page.
 */
import { chooseExecutionProviders } from '@/lib/engine/execution-provider';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import type { CanonicalModel } from '@/lib/models/types';

/** The provider the worker will try first (before any model is loaded): `cuda` or `cpu`. */
export function intendedDevice(): string {
  return chooseExecutionProviders()[0];
}

/** A runner on the chosen provider; `device` is the provider its first session actually started on. */
export async function createWorkerRunner(
  model: CanonicalModel,
  log: (msg: string) => void = () => {},
): Promise<{ runner: OnnxRunner; device: string }> {
  const runner = await OnnxRunner.create(model, { log });
  return { runner, device: runner.activeProvider ?? intendedDevice() };
}
