import path from 'node:path';
import { openSafetensorsFolder, readJson } from '../safetensors-files';
import type { CanonicalModel } from '../types';
import { HfConfig, type HfFamily } from './common';
import { assertWeightsFit } from '../../engine/memory-estimate';
import { gpt2Family } from './gpt2';
import { gptNeoFamily } from './gpt-neo';
import { gptNeoxFamily } from './gpt-neox';
import { llamaFamily } from './llama';

/**
 * A Hugging Face model folder (`config.json` + `model.safetensors`, or shards with
 * `model.safetensors.index.json`; float32, float16 or bfloat16) → canonical TransformerLens weights.
 * The family comes from `model_type` (else `architectures[0]`); each family is one file in this folder.
 */
export const HF_FAMILIES: HfFamily[] = [gpt2Family, gptNeoFamily, gptNeoxFamily, llamaFamily];

/** True for a config.json written by transformers (TransformerLens configs have neither key). */
export function isHfConfig(raw: Record<string, unknown>): boolean {
  return 'model_type' in raw || 'architectures' in raw;
}

export function familyFor(config: HfConfig): HfFamily {
  const modelType = config.raw.model_type;
  const architecture = Array.isArray(config.raw.architectures) ? config.raw.architectures[0] : undefined;
  const family =
    HF_FAMILIES.find((f) => typeof modelType === 'string' && f.modelTypes.includes(modelType)) ??
    HF_FAMILIES.find((f) => typeof architecture === 'string' && f.architectures.includes(architecture));
  if (!family) {
    const supported = HF_FAMILIES.flatMap((f) => f.modelTypes).join(', ');
    throw new Error(
      `${config.file}: unknown architecture (model_type ${JSON.stringify(modelType ?? null)}, architectures ${JSON.stringify(config.raw.architectures ?? null)}); ` +
        `supported model types: ${supported}`,
    );
  }
  return family;
}

export async function loadHfFolder(dir: string, opts: { name?: string; license?: string } = {}): Promise<CanonicalModel> {
  const configFile = path.join(dir, 'config.json');
  const config = new HfConfig(await readJson(configFile), configFile);
  const family = familyFor(config);
  const name = opts.name ?? path.basename(path.resolve(dir));
  const cfg = family.configFromHf(config, name);
  // Read lazily: each tensor is read (and widened to float32) when the family asks for it, then dropped once
  // transformed, so loading holds the canonical weights plus one checkpoint tensor, never the state dict beside them.
  const state = await openSafetensorsFolder(dir);
  try {
    assertWeightsFit(`${name} (${dir})`, state.float32Bytes());
    const weights = family.weightsFromHf(cfg, state, dir, config);
    const dtype = state.dominantDtype();
    return {
      cfg,
      weights,
      source: {
        path: dir,
        format: `hf-${family.modelTypes[0]}`,
        ...(dtype ? { dtype } : {}),
        ...(opts.license ? { license: opts.license } : {}),
      },
    };
  } finally {
    state.close();
  }
}
