import fs from 'node:fs';
import * as ort from 'onnxruntime-node';

/**
 * The one place that decides which onnxruntime execution providers headwiki uses.
 *
 *  HEADWIKI_EP=cpu    CPU only.
 *  HEADWIKI_EP=cuda   CUDA only: a session that cannot start on CUDA is an error (for GPU machines that must use it).
 *  unset / auto       CUDA first when onnxruntime lists it and the machine has an NVIDIA driver, else the CPU;
 *                     when the CUDA session cannot be created (the npm package installed without its CUDA
 *                     libraries, no matching CUDA/cuDNN), one log line and the CPU from then on.
 *
 *  HEADWIKI_EXECUTION_PROVIDERS=cuda,cpu   an explicit list, used when HEADWIKI_EP is unset (workers' older setting).
 *
 * onnxruntime-node does not fall back by itself: `executionProviders: ['cuda', 'cpu']` throws when the CUDA
 * library cannot load (measured with onnxruntime-node 1.30 installed with ONNXRUNTIME_NODE_INSTALL=skip).
 */

export type ExecutionProviderSetting = 'cpu' | 'cuda' | 'auto';

export interface ExecutionProviderEnvironment {
  /** The HEADWIKI_EP value. */
  setting?: string;
  /** The HEADWIKI_EXECUTION_PROVIDERS value (an explicit list such as `cuda,cpu`; HEADWIKI_EP wins when both are set). */
  list?: string;
  /** Backends onnxruntime-node was built with (`ort.listSupportedBackends()` names). */
  backends?: string[];
  /** Whether the machine has an NVIDIA driver loaded. */
  hasNvidiaDevice?: boolean;
}

export function parseExecutionProviderSetting(value: string | undefined): ExecutionProviderSetting {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'auto') return 'auto';
  if (v === 'cpu' || v === 'cuda') return v;
  throw new Error(`HEADWIKI_EP must be cpu, cuda or auto; got ${JSON.stringify(value)}`);
}

/** HEADWIKI_EXECUTION_PROVIDERS: providers in order, e.g. `cuda,cpu` (a list ending in `cpu` falls back to it). */
export function parseExecutionProviderList(value: string): string[] {
  const list = value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const unknown = list.filter((p) => p !== 'cpu' && p !== 'cuda');
  if (list.length === 0 || unknown.length > 0) {
    throw new Error(
      `HEADWIKI_EXECUTION_PROVIDERS must be a comma-separated list of cpu and cuda (e.g. "cuda,cpu"); got ${JSON.stringify(value)}`,
    );
  }
  return [...new Set(list)];
}

function supportedBackends(): string[] {
  try {
    return ort.listSupportedBackends().map((b) => b.name);
  } catch {
    return ['cpu'];
  }
}

function nvidiaDevicePresent(): boolean {
  return fs.existsSync('/dev/nvidiactl') || fs.existsSync('/proc/driver/nvidia/version');
}

/** Providers to try, in order; the last one of an `auto` choice is always the CPU. */
export function chooseExecutionProviders(env: ExecutionProviderEnvironment = {}): string[] {
  const rawSetting = env.setting ?? process.env.HEADWIKI_EP;
  const list = env.list ?? process.env.HEADWIKI_EXECUTION_PROVIDERS;
  if (!rawSetting?.trim() && list?.trim()) return parseExecutionProviderList(list);
  const setting = parseExecutionProviderSetting(rawSetting);
  if (setting === 'cpu') return ['cpu'];
  if (setting === 'cuda') return ['cuda'];
  const backends = env.backends ?? supportedBackends();
  const gpu = env.hasNvidiaDevice ?? nvidiaDevicePresent();
  return backends.includes('cuda') && gpu ? ['cuda', 'cpu'] : ['cpu'];
}

type CreateSession = (bytes: Uint8Array, options: ort.InferenceSession.SessionOptions) => Promise<ort.InferenceSession>;

/**
 * Creates a session on the first provider list that works: the full list, then (when it ended in `cpu` and
 * began with something else) the CPU alone. Returns the provider actually used.
 */
export async function createSessionWithFallback(
  bytes: Uint8Array,
  options: ort.InferenceSession.SessionOptions,
  providers: string[],
  log: (message: string) => void = (m) => console.warn(`[headwiki] ${m}`),
  create: CreateSession = (b, o) => ort.InferenceSession.create(b, o),
): Promise<{ session: ort.InferenceSession; provider: string }> {
  try {
    return { session: await create(bytes, { ...options, executionProviders: providers }), provider: providers[0] };
  } catch (err) {
    const canFallBack = providers.length > 1 && providers[0] !== 'cpu' && providers[providers.length - 1] === 'cpu';
    if (!canFallBack) throw err;
    log(`execution provider ${providers[0]} failed (${err instanceof Error ? err.message : String(err)}); using the CPU`);
    return { session: await create(bytes, { ...options, executionProviders: ['cpu'] }), provider: 'cpu' };
  }
}
