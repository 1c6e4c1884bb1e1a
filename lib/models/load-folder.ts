import fs from 'node:fs';
import path from 'node:path';
import { loadLlama2cTokenizer } from '../tokenizers/llama2c';
import { loadGpt2Tokenizer } from '../tokenizers/gpt2-bpe';
import { loadHfTokenizer } from '../tokenizers/hf';
import type { Tokenizer } from '../tokenizers/types';
import { isHfConfig, loadHfFolder } from './hf/load-hf-folder';
import { INDEX_FILE, SINGLE_FILE } from './safetensors-files';
import { loadTransformerLensSafetensors } from './tl-safetensors';
import type { CanonicalModel } from './types';

/**
 * A model folder of either layout, with its tokenizer: Hugging Face (`config.json` with `model_type` /
 * `architectures`) or a TransformerLens state dict (HookedTransformerConfig names). The tokenizer is, in order:
 * the llama2.c file named by config.json's `tokenizer` (this project's models, SentencePiece-encoded, so runs of
 * spaces collapse), `tokenizer.json`, GPT-2's `vocab.json` + `merges.txt`, a llama2.c `tokenizer.bin`.
 */
export async function loadModelFolder(
  dir: string,
  opts: { name?: string; license?: string } = {},
): Promise<{ model: CanonicalModel; tokenizer: Tokenizer }> {
  const configPath = path.join(dir, 'config.json');
  if (!fs.existsSync(configPath) || !(fs.existsSync(path.join(dir, SINGLE_FILE)) || fs.existsSync(path.join(dir, INDEX_FILE)))) {
    throw new Error(`${dir}: a model folder needs config.json and model.safetensors (or ${INDEX_FILE} and its shards)`);
  }
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
  } catch (e) {
    throw new Error(`${configPath}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
  const model = isHfConfig(config) ? await loadHfFolder(dir, opts) : await loadTransformerLensSafetensors(dir, opts);
  return { model, tokenizer: await loadFolderTokenizer(dir, config, model) };
}

async function loadFolderTokenizer(dir: string, config: Record<string, unknown>, model: CanonicalModel): Promise<Tokenizer> {
  // turbopackIgnore: a user's folder, known only at run time (not something for `next build` to trace).
  const file = (name: string) => path.join(/* turbopackIgnore: true */ dir, name);
  if (typeof config.tokenizer === 'string' && fs.existsSync(/* turbopackIgnore: true */ file(`${path.basename(config.tokenizer)}.bin`))) {
    return loadLlama2cTokenizer(file(`${path.basename(config.tokenizer)}.bin`), { collapseSpaces: true });
  }
  if (fs.existsSync(/* turbopackIgnore: true */ file('tokenizer.json')))
    return loadHfTokenizer(dir, { bosId: model.cfg.bos_token_id, eosId: model.cfg.eos_token_id });
  if (fs.existsSync(/* turbopackIgnore: true */ file('vocab.json')) && fs.existsSync(/* turbopackIgnore: true */ file('merges.txt')))
    return loadGpt2Tokenizer(dir);
  for (const name of ['tokenizer.bin', 'tok512.bin']) {
    if (fs.existsSync(/* turbopackIgnore: true */ file(name))) return loadLlama2cTokenizer(file(name), { collapseSpaces: true });
  }
  throw new Error(
    `${dir}: no tokenizer found (looked for the config's "tokenizer" file, tokenizer.json, vocab.json + merges.txt, tokenizer.bin)`,
  );
}
