import { getLatestPublishedRun } from '@/lib/db/runs';
import { publishInProcess } from './publish-in-process';
import { runDefinitionFromFlags } from './run-definition-args';

export const BUNDLED_MODEL = 'stories260K';

/**
 * Computes and publishes the bundled model's wiki once; later starts find the published run and skip it. The run is
 * what `headwiki publish --model stories260K` (or `headwiki run`) computes with the default flags.
 */
export async function ensureBundledWiki({ log }: { log: (msg: string) => void }): Promise<void> {
  const existing = await getLatestPublishedRun(BUNDLED_MODEL);
  if (existing) {
    log(`wiki: ${BUNDLED_MODEL} is published (run ${existing.id})`);
    return;
  }
  log(`wiki: computing ${BUNDLED_MODEL}'s head wiki (first start only)`);
  const t0 = Date.now();
  const run = await publishInProcess(await runDefinitionFromFlags({ model: BUNDLED_MODEL }));
  log(`wiki: published run ${run.id} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
