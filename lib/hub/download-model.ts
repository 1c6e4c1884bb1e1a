import path from 'node:path';
import { officialSlug, resolveOfficialName } from '../models/official-names';
import { downloadFile, downloadHfModel, HubError, type DownloadOptions } from './download';

/**
 * `headwiki download <name>`: what to fetch for a TransformerLens official name or alias (`gpt2-small`,
 * `pythia-70m`, `stories15M`), or for `hf:owner/name` / a bare `owner/name` repo id. Returns where it landed;
 * `resolveModel` then finds it in the cache under the same name.
 */
export async function downloadModel(nameOrRepo: string, opts: DownloadOptions = {}): Promise<{ name: string; dir: string; files: string }> {
  const repoId = nameOrRepo.startsWith('hf:') ? nameOrRepo.slice(3) : null;
  const official = resolveOfficialName(repoId ?? nameOrRepo);
  if (official && !repoId) {
    const name = officialSlug(official);
    switch (official.layout) {
      case 'bundled':
        return { name, dir: 'data/models', files: 'bundled with headwiki, nothing to download' };
      case 'pytorch-only':
        throw new HubError(`${nameOrRepo} (${official.repo}) exists on the hub only as a PyTorch pickle, which headwiki does not read`);
      case 'llama2c': {
        const file = await downloadFile(official.repo, official.file!, opts);
        return {
          name,
          dir: path.dirname(file!),
          files: `${official.file} (llama2.c); put llama2.c's tokenizer.bin (the Llama-2 32000-token vocabulary) beside it`,
        };
      }
      case 'hf-safetensors':
        return { name, dir: await downloadHfModel(official.repo, opts), files: 'config.json, tokenizer files, safetensors weights' };
    }
  }
  const repo = repoId ?? nameOrRepo;
  if (!repo.includes('/')) {
    throw new HubError(`${JSON.stringify(nameOrRepo)} is not a known TransformerLens model name; give a hub repo id as hf:owner/name`);
  }
  const dir = await downloadHfModel(repo, opts);
  return { name: `hf:${repo}`, dir, files: 'config.json, tokenizer files, safetensors weights' };
}
