import { getLatestPublishedRun } from '@/lib/db/runs';
import { publishInProcess } from './publish-in-process';
import { runDefinitionFromFlags, type RunDefinitionFlagValues } from './run-definition-args';

export const BUNDLED_MODEL = 'stories260K';

/**
 * The bundled circuit demo (data/models/ioi-4l): its head wiki on its own synthetic IOI sentences, and its circuits.
 * Prompt pairs per task bound the first start's extra time (discovery's batches grow with them).
 */
export const BUNDLED_CIRCUIT_MODEL = 'ioi-4l';
export const BUNDLED_CIRCUIT_CORPUS = 'ioi-sample';
export const BUNDLED_CIRCUIT_PROMPT_PAIRS = 8;

/**
 * Computes and publishes the bundled models' wikis once; later starts find the published runs and skip them. Each
 * run is what `headwiki publish` (or `headwiki run`) computes with the same flags.
 */
export async function ensureBundledWiki({ log }: { log: (msg: string) => void }): Promise<void> {
  await ensureWiki({ model: BUNDLED_MODEL }, 'head wiki', log);
  await ensureWiki(
    // Its word-level vocabulary has no code in it: no stories-vs-code comparison.
    {
      model: BUNDLED_CIRCUIT_MODEL,
      corpus: BUNDLED_CIRCUIT_CORPUS,
      'neuron-comparison': 'none',
      circuits: String(BUNDLED_CIRCUIT_PROMPT_PAIRS),
    },
    'head wiki and circuits',
    log,
  );
}

async function ensureWiki(flags: RunDefinitionFlagValues, what: string, log: (msg: string) => void): Promise<void> {
  const existing = await getLatestPublishedRun(flags.model!);
  if (existing) {
    log(`wiki: ${flags.model} is published (run ${existing.id})`);
    return;
  }
  log(`wiki: computing ${flags.model}'s ${what} (first start only)`);
  const t0 = Date.now();
  const run = await publishInProcess(await runDefinitionFromFlags(flags));
  log(`wiki: published run ${run.id} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
