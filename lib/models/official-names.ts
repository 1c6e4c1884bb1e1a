/**
 * Model names as TransformerLens' `OFFICIAL_MODEL_NAMES` spells them, with its aliases, mapped to where the
 * weights live on the Hugging Face hub and in which layout. `resolveOfficialName` is case-insensitive and
 * accepts the official name, an alias, or the hub repo id.
 */
export type WeightsLayout =
  /** config.json + (sharded) safetensors in transformers' layout: loadable after `headwiki download`. */
  | 'hf-safetensors'
  /** A llama2.c `.bin` file in the repo (`file`); the tokenizer must be given beside it. */
  | 'llama2c'
  /** Bundled with headwiki in data/models. */
  | 'bundled'
  /** Only PyTorch pickles on the hub (TransformerLens' own toy models): convert to safetensors first. */
  | 'pytorch-only';

export interface OfficialModel {
  /** TransformerLens' official name (for bundled / llama2.c models: the file's name). */
  name: string;
  aliases: string[];
  /** Hugging Face repo id. */
  repo: string;
  /** transformers model_type (or `llama2c`, `transformer_lens`). */
  architecture: string;
  layout: WeightsLayout;
  /** For `llama2c`: the checkpoint file in the repo. */
  file?: string;
}

const gpt2 = (name: string, repo: string, aliases: string[] = []): OfficialModel => ({
  name,
  aliases,
  repo,
  architecture: 'gpt2',
  layout: 'hf-safetensors',
});
const pythia = (size: string): OfficialModel[] => [
  {
    name: `EleutherAI/pythia-${size}`,
    aliases: [`pythia-${size}`],
    repo: `EleutherAI/pythia-${size}`,
    architecture: 'gpt_neox',
    layout: 'hf-safetensors',
  },
  {
    name: `EleutherAI/pythia-${size}-deduped`,
    aliases: [`pythia-${size}-deduped`],
    repo: `EleutherAI/pythia-${size}-deduped`,
    architecture: 'gpt_neox',
    layout: 'hf-safetensors',
  },
];
const neo = (size: string, aliases: string[]): OfficialModel => ({
  name: `EleutherAI/gpt-neo-${size}`,
  aliases: [`gpt-neo-${size}`, ...aliases],
  repo: `EleutherAI/gpt-neo-${size}`,
  architecture: 'gpt_neo',
  layout: 'hf-safetensors',
});
const tinyStories = (size: string): OfficialModel => ({
  name: `roneneldan/TinyStories-${size}`,
  aliases: [`tiny-stories-${size}`],
  repo: `roneneldan/TinyStories-${size}`,
  architecture: 'gpt_neo',
  layout: 'hf-safetensors',
});
const stories = (size: string): OfficialModel => ({
  name: `stories${size}`,
  aliases: [],
  repo: 'karpathy/tinyllamas',
  architecture: 'llama2c',
  layout: 'llama2c',
  file: `stories${size}.bin`,
});
const toy = (name: string, repo: string, aliases: string[]): OfficialModel => ({
  name,
  aliases,
  repo,
  architecture: 'transformer_lens',
  layout: 'pytorch-only',
});

export const OFFICIAL_MODELS: OfficialModel[] = [
  {
    name: 'stories260K',
    aliases: [],
    repo: 'karpathy/tinyllamas',
    architecture: 'llama2c',
    layout: 'bundled',
    file: 'stories260K/stories260K.bin',
  },
  stories('15M'),
  stories('42M'),
  stories('110M'),
  gpt2('gpt2', 'openai-community/gpt2', ['gpt2-small']),
  gpt2('gpt2-medium', 'openai-community/gpt2-medium', ['gpt2-medium']),
  gpt2('gpt2-large', 'openai-community/gpt2-large', ['gpt2-large']),
  gpt2('gpt2-xl', 'openai-community/gpt2-xl', ['gpt2-xl']),
  gpt2('distilgpt2', 'distilbert/distilgpt2', ['distillgpt2', 'distill-gpt2', 'distil-gpt2', 'gpt2-xs']),
  neo('125M', ['gpt-neo-small']),
  neo('1.3B', ['gpt-neo-medium']),
  neo('2.7B', ['gpt-neo-large']),
  ...['1M', '3M', '8M', '28M', '33M'].map(tinyStories),
  ...['14m', '31m', '70m', '160m', '410m', '1b', '1.4b', '2.8b', '6.9b', '12b'].flatMap(pythia),
  { name: 'llama-7b', aliases: ['llama-7b-hf'], repo: 'huggyllama/llama-7b', architecture: 'llama', layout: 'hf-safetensors' },
  {
    name: 'meta-llama/Llama-2-7b-hf',
    aliases: ['Llama-2-7b', 'llama-2-7b'],
    repo: 'meta-llama/Llama-2-7b-hf',
    architecture: 'llama',
    layout: 'hf-safetensors',
  },
  {
    name: 'mistralai/Mistral-7B-v0.1',
    aliases: ['mistral-7b'],
    repo: 'mistralai/Mistral-7B-v0.1',
    architecture: 'mistral',
    layout: 'hf-safetensors',
  },
  toy('NeelNanda/Attn_Only_1L512W_C4_Code', 'NeelNanda/Attn_Only_1L512W_C4_Code', ['attn-only-1l', 'attn-only-1layer']),
  toy('NeelNanda/Attn_Only_2L512W_C4_Code', 'NeelNanda/Attn_Only_2L512W_C4_Code', ['attn-only-2l', 'attn-only-2layer']),
  toy('NeelNanda/GELU_1L512W_C4_Code', 'NeelNanda/GELU_1L512W_C4_Code', ['gelu-1l', 'gelu-1layer']),
  toy('NeelNanda/GELU_2L512W_C4_Code', 'NeelNanda/GELU_2L512W_C4_Code', ['gelu-2l', 'gelu-2layer']),
  toy('NeelNanda/SoLU_1L512W_C4_Code', 'NeelNanda/SoLU_1L512W_C4_Code', ['solu-1l', 'solu-1layer']),
  toy('NeelNanda/SoLU_2L512W_C4_Code', 'NeelNanda/SoLU_2L512W_C4_Code', ['solu-2l', 'solu-2layer']),
];

const byKey = new Map<string, OfficialModel>();
for (const m of OFFICIAL_MODELS) {
  for (const key of [m.name, ...m.aliases, ...(m.layout === 'hf-safetensors' ? [m.repo] : [])]) {
    const k = key.toLowerCase();
    if (!byKey.has(k)) byKey.set(k, m);
  }
}

/** The official model a name, alias or repo id refers to (case-insensitive), or null. */
export function resolveOfficialName(name: string): OfficialModel | null {
  return byKey.get(name.trim().toLowerCase()) ?? null;
}

/** The name headwiki stores and shows (TransformerLens' default alias: `gpt2-small`, `pythia-70m`), else the official name. */
export function officialSlug(model: OfficialModel): string {
  return model.aliases[0] ?? model.name;
}
