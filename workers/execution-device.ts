/**
 * Which onnxruntime execution providers a worker uses: HEADWIKI_EXECUTION_PROVIDERS (e.g. "cuda,cpu")
 * when set; otherwise CUDA first on a machine with an NVIDIA device, falling back to the CPU when the
 * CUDA provider cannot start (onnxruntime-node installed without its CUDA libraries).
 */
import fs from 'node:fs';
import type { CanonicalModel } from '@/lib/models/types';
import { OnnxRunner } from '@/lib/engine/onnx-runner';

export function preferredExecutionProviders(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = env.HEADWIKI_EXECUTION_PROVIDERS?.split(',').map((s) => s.trim()).filter(Boolean);
  if (fromEnv && fromEnv.length > 0) return fromEnv;
  return fs.existsSync('/dev/nvidiactl') ? ['cuda', 'cpu'] : ['cpu'];
}

/** A runner on the best provider that starts; `device` names it for the worker's status. */
export async function createWorkerRunner(
  model: CanonicalModel,
  log: (msg: string) => void = () => {},
): Promise<{ runner: OnnxRunner; device: string }> {
  const providers = preferredExecutionProviders();
  try {
    return { runner: await OnnxRunner.create(model, { executionProviders: providers }), device: providers[0] };
  } catch (err) {
    if (providers.length === 1 && providers[0] === 'cpu') throw err;
    log(`execution providers [${providers.join(', ')}] failed (${err instanceof Error ? err.message : err}); using the CPU`);
    return { runner: await OnnxRunner.create(model, { executionProviders: ['cpu'] }), device: 'cpu' };
  }
}
