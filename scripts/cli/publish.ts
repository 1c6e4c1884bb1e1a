import { parseArgs } from 'node:util';
import { openDatabase } from '../lib/database';
import { publishInProcess } from '../lib/publish-in-process';
import { RUN_DEFINITION_FLAGS, runDefinitionFromFlags } from '../lib/run-definition-args';

/**
 * `publish`: execute a run definition in this process and publish it as a new run (never modifies an old one).
 * Same flags and defaults as `run` (the queue) and `npm start`: the same command line computes the same run.
 */
export async function publishCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: RUN_DEFINITION_FLAGS });
  const definition = await runDefinitionFromFlags(values);
  const log = (msg: string) => console.error(`[headwiki] ${msg}`);
  const db = await openDatabase(log);
  try {
    const run = await publishInProcess(definition);
    console.log(JSON.stringify({ run: run.id, model: run.modelSlug, publishedAt: run.publishedAt }, null, 2));
  } finally {
    await db.stop();
  }
}
