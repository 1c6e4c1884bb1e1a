import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { downloadModel } from '@/lib/hub/download-model';

/**
 * `download <name | hf:owner/name> [--revision main]`: fetches a model from the Hugging Face hub into the
 * cache (HEADWIKI_CACHE or ~/.cache/headwiki), resuming interrupted files. HF_ENDPOINT and HF_TOKEN are honoured.
 */
export async function downloadCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { revision: { type: 'string' } } });
  const name = positionals[0];
  if (!name)
    throw new Error('give a model: e.g. `download gpt2-small`, `download pythia-70m`, `download stories15M`, `download hf:owner/name`');
  const bars = new cliProgress.MultiBar(
    { format: ' {bar} {percentage}% | {file} | {value}/{total} bytes', hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  const perFile = new Map<string, cliProgress.SingleBar>();
  try {
    const result = await downloadModel(name, {
      ...(values.revision ? { revision: values.revision } : {}),
      onProgress: ({ file, received, total }) => {
        let bar = perFile.get(file);
        if (!bar) perFile.set(file, (bar = bars.create(total ?? received, 0, { file })));
        if (total !== null) bar.setTotal(total);
        bar.update(received, { file });
      },
    });
    bars.stop();
    console.log(`${result.name}: ${result.files}\n  in ${result.dir}\n  use it with --model ${result.name}`);
  } finally {
    bars.stop();
  }
}
