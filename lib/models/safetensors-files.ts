import fs from 'node:fs/promises';
import path from 'node:path';
import { LazySafetensors, SafetensorsFileReader } from './safetensors-reader';
import type { Tensor } from './types';

/**
 * The weights of a Hugging Face model folder: `model.safetensors`, or shards
 * `model-00001-of-0000N.safetensors` listed by `model.safetensors.index.json`
 * (`{ metadata, weight_map: { tensor: shard file } }`). Every tensor comes back as float32.
 * A shard that lacks a tensor its index promises, or a shard file that is missing, fails with both named.
 */
export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';

/** Every tensor of the folder as float32, read tensor by tensor (never a whole file in memory). */
export async function readSafetensorsFolder(dir: string): Promise<Map<string, Tensor>> {
  const lazy = await openSafetensorsFolder(dir);
  try {
    return lazy.toMap();
  } finally {
    lazy.close();
  }
}

/**
 * The folder's tensors, read on demand (each get() reads one tensor by ranges); close() when done. Checks up front
 * that every shard the index names exists and holds the tensors the index places in it.
 */
export async function openSafetensorsFolder(dir: string, opts: { chunkBytes?: number } = {}): Promise<LazySafetensors> {
  const single = path.join(dir, SINGLE_FILE);
  const index = path.join(dir, INDEX_FILE);
  if (await exists(single)) return new LazySafetensors([new SafetensorsFileReader(single, opts.chunkBytes)]);
  if (!(await exists(index)))
    throw new Error(
      `${dir}: no ${SINGLE_FILE} and no ${INDEX_FILE} (sharded checkpoint); PyTorch .bin weights are not supported, convert them to safetensors`,
    );
  const shards = shardsOf(await readJson(index), index);
  const readers: SafetensorsFileReader[] = [];
  try {
    for (const [shard, names] of shards) {
      const file = path.join(dir, shard);
      if (!(await exists(file)))
        throw new Error(`${index}: shard ${shard} is missing (it holds ${names.length} tensors, e.g. ${names[0]})`);
      const reader = new SafetensorsFileReader(file, opts.chunkBytes);
      readers.push(reader);
      for (const name of names) {
        if (!reader.entries.has(name)) throw new Error(`${file}: tensor ${name} is missing, though ${INDEX_FILE} places it in this shard`);
      }
      // Only what the index places in this shard counts (a shard may hold stray tensors the index ignores).
      const listed = new Set(names);
      for (const name of [...reader.entries.keys()]) if (!listed.has(name)) reader.entries.delete(name);
    }
  } catch (e) {
    for (const r of readers) r.close();
    throw e;
  }
  return new LazySafetensors(readers);
}

/** Shard file → the tensors the index places in it, in first-seen order. */
export function shardsOf(index: unknown, file: string): Map<string, string[]> {
  const weightMap = (index as { weight_map?: unknown } | null)?.weight_map;
  if (!weightMap || typeof weightMap !== 'object' || Array.isArray(weightMap)) throw new Error(`${file}: no weight_map object`);
  const shards = new Map<string, string[]>();
  for (const [name, shard] of Object.entries(weightMap)) {
    // Shards are plain file names beside the index; anything else could read outside the folder.
    if (typeof shard !== 'string' || shard !== path.basename(shard) || !shard.endsWith('.safetensors')) {
      throw new Error(
        `${file}: weight_map entry ${JSON.stringify(name)} names ${JSON.stringify(shard)}, not a .safetensors file beside the index`,
      );
    }
    const list = shards.get(shard) ?? [];
    list.push(name);
    shards.set(shard, list);
  }
  if (shards.size === 0) throw new Error(`${file}: weight_map is empty`);
  return shards;
}

export async function readJson(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
  try {
    const value = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
    return value as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}
