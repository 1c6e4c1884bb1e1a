import fs from 'node:fs/promises';
import path from 'node:path';
import { INDEX_FILE, SINGLE_FILE } from '../safetensors-files';
import { serializeSafetensors, type WritableDtype } from '../safetensors-write';
import type { CanonicalModel, Tensor } from '../types';
import type { HfFamily } from './common';

/**
 * Writes a canonical model as a Hugging Face folder of the given family: config.json and the weights in
 * one `model.safetensors` or in `shards` files `model-0000k-of-0000n.safetensors` with their index.
 * Tests use it to make checkpoints in every layout; it is also an export.
 */
export async function writeHfFolder(
  dir: string,
  model: CanonicalModel,
  family: HfFamily,
  opts: { dtype?: WritableDtype; shards?: number } = {},
): Promise<void> {
  const { config, state } = family.toHf(model.cfg, model.weights);
  const dtype = opts.dtype ?? 'F32';
  const shards = opts.shards ?? 1;
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify({ ...config, torch_dtype: TORCH_DTYPE[dtype] }, null, 2));
  const entries = [...state];
  if (shards <= 1) {
    await fs.writeFile(path.join(dir, SINGLE_FILE), serializeSafetensors(entries, { dtype, metadata: { format: 'pt' } }));
    return;
  }
  const perShard = Math.ceil(entries.length / shards);
  const weightMap: Record<string, string> = {};
  let totalSize = 0;
  for (let k = 0; k < shards; k++) {
    const file = `model-${String(k + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    const part: Array<[string, Tensor]> = entries.slice(k * perShard, (k + 1) * perShard);
    for (const [name, t] of part) {
      weightMap[name] = file;
      totalSize += t.data.length * (dtype === 'F32' ? 4 : 2);
    }
    await fs.writeFile(path.join(dir, file), serializeSafetensors(part, { dtype, metadata: { format: 'pt' } }));
  }
  await fs.writeFile(path.join(dir, INDEX_FILE), JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2));
}

const TORCH_DTYPE: Record<WritableDtype, string> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' };
