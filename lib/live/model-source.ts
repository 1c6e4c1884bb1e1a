/**
 * Which checkpoint a model slug means for live inference: a bundled model by its name, otherwise the
 * `source` recorded on the database's Model row (a checkpoint file or a model folder).
 */
import { knownModelNames } from '../models/registry';
import { LiveError } from './errors';

export type ModelSourceResolver = (slug: string) => Promise<string>;

export const resolveModelSource: ModelSourceResolver = async (slug) => {
  if (knownModelNames.includes(slug)) return slug;
  // Imported lazily: bundled models need no database.
  const { getModelCheckpointSource } = await import('../db/models');
  const source = await getModelCheckpointSource(slug);
  if (source === null) throw new LiveError('unknown_model', `unknown model ${JSON.stringify(slug)}: no such model in headwiki`);
  if (!source) throw new LiveError('unknown_model', `model ${slug} records no checkpoint source, so it cannot run live`);
  return source;
};
