/** Search results and the plug-in interface for text search over example tables. */
import type { ModelInfo } from '@/lib/db/models';
import type { RunInfo } from '@/lib/db/runs';

export type SearchResultKind = 'model' | 'head' | 'neuron' | 'metric' | 'example';

export interface SearchResult {
  kind: SearchResultKind;
  /** Link text, e.g. `stories260K L1H3`. */
  title: string;
  /** One line under the link. */
  description: string;
  /** Page URL (relative). */
  url: string;
  /** The matched metric value (threshold searches). */
  value?: number;
}

/**
 * Searches token text in a table of examples (top activating texts of heads or neurons).
 * Register one in providers.ts; it receives each model in scope with its latest published run.
 */
export interface TextSearchProvider {
  id: string;
  search(phrase: string, scope: { model: ModelInfo; run: RunInfo }[], limit: number): Promise<SearchResult[]>;
}
